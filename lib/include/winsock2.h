/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * winsock2.h - Windows Sockets 2 for Linux (libwsaevent).
 *
 * Code written for Winsock compiles against this header unchanged: the
 * types have their Windows sizes (DWORD, u_long and the Winsock "long"
 * fields are 32-bit even on LP64 Linux), and every constant has its
 * WINDOWS value (SOL_SOCKET is 0xFFFF, FIONBIO is 0x8004667E, error codes
 * are the WSA* numbers, ...).  libwsaevent translates to Linux values
 * where the kernel sees them.
 *
 * Rules that follow from that:
 *
 *  - Do not include Linux socket headers (<sys/socket.h>, <netinet/in.h>,
 *    <arpa/inet.h>, <netdb.h>, <sys/ioctl.h>, <sys/un.h>) in the same
 *    translation unit: their constants clash with the Windows ones.  This
 *    header defines the socket address types itself; struct sockaddr,
 *    sockaddr_in, sockaddr_in6 and sockaddr_storage have the Linux layouts
 *    (Windows' u_short family field has the size of Linux's sa_family_t).
 *
 *  - <sys/types.h> is included here, before u_long is defined: glibc
 *    declares "unsigned long u_long" there (64-bit on LP64), so u_long is a
 *    macro for the 32-bit WSA_U_LONG type, which works whichever of
 *    <winsock2.h> and the C library headers comes first.
 *
 *  - fd_set, FD_SET() and friends, FD_SETSIZE, struct timeval and select()
 *    are Winsock's: fd_set is { u_int fd_count; SOCKET fd_array[FD_SETSIZE]; }
 *    with FD_SETSIZE 64 (define FD_SETSIZE before including this header,
 *    and before any C library header, to change it, as on Windows), and
 *    struct timeval has two 32-bit LONG fields.  The C library defines the
 *    same names in <sys/select.h>, <sys/time.h> and <sys/resource.h>; this
 *    header includes those three first, so that including them again (or a
 *    header that includes them, such as <stdlib.h>) is a no-op, then maps
 *    the names onto its own with macros: fd_set is wsaevent_fd_set,
 *    timeval is wsaevent_timeval and select is wsaevent_select in the
 *    compiled code.  The C library's functions that take its struct
 *    timeval (gettimeofday, setitimer...) keep their declarations; given
 *    Winsock's struct timeval they draw an incompatible-pointer warning.
 *
 *  - WSAPoll() and the POLL* constants are Winsock's, with their Windows
 *    values (POLLIN is POLLRDNORM | POLLRDBAND = 0x300, ...).  WSAPOLLFD is
 *    the C library's struct pollfd (the same layout: SOCKET is an int), so
 *    <poll.h> is included here first as well; poll() stays declared, but
 *    the POLL* names no longer have its values.  Code that calls the Linux
 *    poll() next to <winsock2.h> uses WSAPoll() (it takes any fd) or the
 *    Linux values that <wsaevent.h> names.
 *
 *  - The socket functions keep their Winsock names and signatures in C,
 *    but their symbols are prefixed (socket() is the symbol
 *    wsaevent_socket, set with an assembler label), so that libwsaevent
 *    never takes the place of the C library's socket(), bind()... for the
 *    rest of the program, static or dynamic.  The byte-order helpers
 *    (htons, htonl, ntohs, ntohl) are the C library's, which have the same
 *    types.
 *
 *  - SOCKET is an int so that Linux file descriptors are sockets;
 *    INVALID_SOCKET is (SOCKET)~0, i.e. -1.
 *
 *  - WSAEVENT is HANDLE (void *).  An event handle is (HANDLE)(fd + 1) for
 *    the event's file descriptor, so WSA_INVALID_EVENT (NULL) never names
 *    fd 0; <wsaevent.h> converts between the two.
 *
 * <ws2tcpip.h> adds inet_pton, inet_ntop, socklen_t and the IPv6 options;
 * <afunix.h> adds struct sockaddr_un for AF_UNIX sockets.
 *
 * Extensions that Windows programs get from kernel32 (auto-reset events,
 * initial state, PulseEvent, the pollable fd, SleepEx as WSASleepEx) are
 * in <wsaevent.h>.
 */
#ifndef _WINSOCK2API_
#define _WINSOCK2API_
#define _WINSOCKAPI_	/* what Windows code tests to see Winsock is there */

/*
 * The C library's fd_set, struct timeval, select() and struct pollfd,
 * included once here before this header redefines those names (see the
 * comment at the top).  FD_SETSIZE: a value the program defined before
 * any of these headers is kept; the C library's own (1024) is not.
 */
#if defined(_SYS_SELECT_H) && defined(FD_SETSIZE) && defined(__FD_SETSIZE)
#if FD_SETSIZE == __FD_SETSIZE
#undef FD_SETSIZE
#endif
#endif
#pragma push_macro("FD_SETSIZE")
#undef FD_SETSIZE
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/resource.h>
#include <poll.h>
#undef FD_SETSIZE
#pragma pop_macro("FD_SETSIZE")

#undef FD_SET
#undef FD_CLR
#undef FD_ISSET
#undef FD_ZERO
#define fd_set		wsaevent_fd_set
#define timeval		wsaevent_timeval
#define select		wsaevent_select

#undef POLLIN
#undef POLLPRI
#undef POLLOUT
#undef POLLRDNORM
#undef POLLRDBAND
#undef POLLWRNORM
#undef POLLWRBAND
#undef POLLMSG
#undef POLLREMOVE
#undef POLLRDHUP
#undef POLLERR
#undef POLLHUP
#undef POLLNVAL

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The symbol of a Winsock function whose name the C library also uses:
 * socket() is wsaevent_socket (see the comment at the top).
 */
#define WSAEVENT_SYMBOL(name)	__asm__("wsaevent_" #name)

/* ------------------------------------------------------------------ */
/* Calling conventions and storage classes: nothing to do on Linux.    */

#ifndef WINAPI
#define WINAPI
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef WSAAPI
#define WSAAPI
#endif
#ifndef PASCAL
#define PASCAL
#endif
#ifndef FAR
#define FAR
#endif
#ifndef NEAR
#define NEAR
#endif
#ifndef WINSOCK_API_LINKAGE
#define WINSOCK_API_LINKAGE
#endif

/* ------------------------------------------------------------------ */
/* Windows base types, with Windows (LLP64) sizes.                     */
/* A program that brings its own definitions defines _MINWINDEF_.      */

#ifndef _MINWINDEF_
#define _MINWINDEF_
typedef int		BOOL;
typedef BOOL		*PBOOL, *LPBOOL;
typedef uint8_t		BYTE;
typedef BYTE		*PBYTE, *LPBYTE;
typedef uint8_t		BOOLEAN;
typedef uint16_t	WORD;
typedef WORD		*PWORD, *LPWORD;
typedef uint32_t	DWORD;
typedef DWORD		*PDWORD, *LPDWORD;
typedef char		CHAR;
typedef CHAR		*PCHAR, *PSTR, *LPSTR;
typedef const CHAR	*PCSTR, *LPCSTR;
typedef unsigned char	UCHAR;
typedef UCHAR		*PUCHAR;
typedef int16_t		SHORT;
typedef uint16_t	USHORT;
typedef USHORT		*PUSHORT;
typedef int		INT;
typedef INT		*PINT, *LPINT;
typedef unsigned int	UINT;
typedef UINT		*PUINT;
typedef int32_t		LONG;			/* Windows long: 32-bit */
typedef LONG		*PLONG, *LPLONG;
typedef uint32_t	ULONG;			/* Windows unsigned long */
typedef ULONG		*PULONG;
typedef int64_t		LONGLONG;
typedef uint64_t	ULONGLONG;
typedef intptr_t	INT_PTR, LONG_PTR;
typedef uintptr_t	UINT_PTR, ULONG_PTR, DWORD_PTR;
typedef size_t		SIZE_T;
typedef void		VOID;
typedef void		*PVOID, *LPVOID;
typedef const void	*LPCVOID;
typedef void		*HANDLE;
typedef HANDLE		*PHANDLE, *LPHANDLE;
#endif /* _MINWINDEF_ */

#ifndef FALSE
#define FALSE	0
#endif
#ifndef TRUE
#define TRUE	1
#endif

#ifndef MAKEWORD
#define MAKEWORD(low, high) \
	((WORD)(((BYTE)(low)) | (((WORD)((BYTE)(high))) << 8)))
#endif
#ifndef LOBYTE
#define LOBYTE(w)	((BYTE)(((WORD)(w)) & 0xff))
#endif
#ifndef HIBYTE
#define HIBYTE(w)	((BYTE)((((WORD)(w)) >> 8) & 0xff))
#endif
#ifndef LOWORD
#define LOWORD(l)	((WORD)(((DWORD)(l)) & 0xffff))
#endif
#ifndef HIWORD
#define HIWORD(l)	((WORD)((((DWORD)(l)) >> 16) & 0xffff))
#endif

/* ------------------------------------------------------------------ */
/* BSD-style unsigned types (Windows sizes).                           */

#ifndef __u_char_defined
/* glibc's <sys/types.h> (GNU/default mode) already has the same three. */
typedef unsigned char	u_char;
typedef unsigned short	u_short;
typedef unsigned int	u_int;
#endif
/* u_long is 32-bit as on Windows; see the comment at the top. */
typedef uint32_t	WSA_U_LONG;
#undef u_long
#define u_long		WSA_U_LONG
typedef uint64_t	u_int64;

/* ------------------------------------------------------------------ */
/* Sockets and events.                                                 */

typedef int SOCKET;			/* a Linux file descriptor */
#define INVALID_SOCKET		((SOCKET)(~0))
#define SOCKET_ERROR		(-1)

#define WSAEVENT		HANDLE
#define LPWSAEVENT		LPHANDLE
#define WSA_INVALID_EVENT	((WSAEVENT)NULL)

#define WSADESCRIPTION_LEN	256
#define WSASYS_STATUS_LEN	128

/* WSADATA: Win64 field order on 64-bit targets, Win32 order otherwise. */
typedef struct WSAData {
	WORD		wVersion;
	WORD		wHighVersion;
#if UINTPTR_MAX > 0xffffffffu
	unsigned short	iMaxSockets;
	unsigned short	iMaxUdpDg;
	char		*lpVendorInfo;
	char		szDescription[WSADESCRIPTION_LEN + 1];
	char		szSystemStatus[WSASYS_STATUS_LEN + 1];
#else
	char		szDescription[WSADESCRIPTION_LEN + 1];
	char		szSystemStatus[WSASYS_STATUS_LEN + 1];
	unsigned short	iMaxSockets;
	unsigned short	iMaxUdpDg;
	char		*lpVendorInfo;
#endif
} WSADATA, *LPWSADATA;

#define WINSOCK_VERSION		MAKEWORD(2, 2)

/* Scatter/gather buffer: length first. */
typedef struct _WSABUF {
	u_long		len;
	char		*buf;
} WSABUF, *LPWSABUF;

/*
 * OVERLAPPED / WSAOVERLAPPED.  Internal and InternalHigh belong to the
 * implementation (status and bytes transferred); zero the structure
 * before each use.  libwsaevent keeps STATUS_PENDING in Internal while
 * the operation is pending, then 0 or a negative Linux errno (Windows: an
 * NTSTATUS), so HasOverlappedIoCompleted() works; the status itself is
 * for WSAGetOverlappedResult() to interpret.
 */
typedef struct _OVERLAPPED {
	ULONG_PTR	Internal;
	ULONG_PTR	InternalHigh;
	__extension__ union {
		__extension__ struct {
			DWORD	Offset;
			DWORD	OffsetHigh;
		};
		PVOID	Pointer;
	};
	HANDLE		hEvent;
} OVERLAPPED, *LPOVERLAPPED, WSAOVERLAPPED, *LPWSAOVERLAPPED;

typedef void (CALLBACK *LPWSAOVERLAPPED_COMPLETION_ROUTINE)(
	DWORD dwError, DWORD cbTransferred,
	LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags);

#ifndef STATUS_PENDING
#define STATUS_PENDING			((DWORD)0x00000103)
#endif
/* As <winbase.h> has it: nonzero once the operation has completed. */
#ifndef HasOverlappedIoCompleted
#define HasOverlappedIoCompleted(lpOverlapped) \
	(((DWORD)(lpOverlapped)->Internal) != STATUS_PENDING)
#endif

/* ------------------------------------------------------------------ */
/* Network events (WSAEventSelect / WSAEnumNetworkEvents).             */

#define FD_READ_BIT			0
#define FD_READ				(1 << FD_READ_BIT)
#define FD_WRITE_BIT			1
#define FD_WRITE			(1 << FD_WRITE_BIT)
#define FD_OOB_BIT			2
#define FD_OOB				(1 << FD_OOB_BIT)
#define FD_ACCEPT_BIT			3
#define FD_ACCEPT			(1 << FD_ACCEPT_BIT)
#define FD_CONNECT_BIT			4
#define FD_CONNECT			(1 << FD_CONNECT_BIT)
#define FD_CLOSE_BIT			5
#define FD_CLOSE			(1 << FD_CLOSE_BIT)
#define FD_QOS_BIT			6
#define FD_QOS				(1 << FD_QOS_BIT)
#define FD_GROUP_QOS_BIT		7
#define FD_GROUP_QOS			(1 << FD_GROUP_QOS_BIT)
#define FD_ROUTING_INTERFACE_CHANGE_BIT	8
#define FD_ROUTING_INTERFACE_CHANGE	(1 << FD_ROUTING_INTERFACE_CHANGE_BIT)
#define FD_ADDRESS_LIST_CHANGE_BIT	9
#define FD_ADDRESS_LIST_CHANGE		(1 << FD_ADDRESS_LIST_CHANGE_BIT)
#define FD_MAX_EVENTS			10
#define FD_ALL_EVENTS			((1 << FD_MAX_EVENTS) - 1)

/* 44 bytes as on Windows: lNetworkEvents is a 32-bit Windows long. */
typedef struct _WSANETWORKEVENTS {
	LONG		lNetworkEvents;
	int		iErrorCode[FD_MAX_EVENTS];
} WSANETWORKEVENTS, *LPWSANETWORKEVENTS;

/* ------------------------------------------------------------------ */
/* Waiting.                                                            */

#ifndef INFINITE
#define INFINITE			((DWORD)0xFFFFFFFF)
#endif
#ifndef MAXIMUM_WAIT_OBJECTS
#define MAXIMUM_WAIT_OBJECTS		64
#endif
#ifndef WAIT_OBJECT_0
#define WAIT_OBJECT_0			((DWORD)0x00000000)
#endif
#ifndef WAIT_ABANDONED_0
#define WAIT_ABANDONED_0		((DWORD)0x00000080)
#endif
#ifndef WAIT_IO_COMPLETION
#define WAIT_IO_COMPLETION		((DWORD)0x000000C0)
#endif
#ifndef WAIT_TIMEOUT
#define WAIT_TIMEOUT			((DWORD)0x00000102)
#endif
#ifndef WAIT_FAILED
#define WAIT_FAILED			((DWORD)0xFFFFFFFF)
#endif

#define WSA_MAXIMUM_WAIT_EVENTS		MAXIMUM_WAIT_OBJECTS
#define WSA_INFINITE			INFINITE
#define WSA_WAIT_EVENT_0		WAIT_OBJECT_0
#define WSA_WAIT_IO_COMPLETION		WAIT_IO_COMPLETION
#define WSA_WAIT_TIMEOUT		WAIT_TIMEOUT
#define WSA_WAIT_FAILED			WAIT_FAILED

/* ------------------------------------------------------------------ */
/* Error codes (WSAGetLastError).  Plain ints, like the return value.  */

/* Win32 codes shared with the event and overlapped APIs. */
#ifndef ERROR_INVALID_HANDLE
#define ERROR_INVALID_HANDLE		6
#endif
#ifndef ERROR_NOT_ENOUGH_MEMORY
#define ERROR_NOT_ENOUGH_MEMORY		8
#endif
#ifndef ERROR_NETNAME_DELETED
#define ERROR_NETNAME_DELETED		64
#endif
#ifndef ERROR_INVALID_PARAMETER
#define ERROR_INVALID_PARAMETER		87
#endif
#ifndef ERROR_OPERATION_ABORTED
#define ERROR_OPERATION_ABORTED		995
#endif
#ifndef ERROR_IO_INCOMPLETE
#define ERROR_IO_INCOMPLETE		996
#endif
#ifndef ERROR_IO_PENDING
#define ERROR_IO_PENDING		997
#endif
#ifndef ERROR_CONNECTION_REFUSED
#define ERROR_CONNECTION_REFUSED	1225
#endif

#define WSA_INVALID_HANDLE		ERROR_INVALID_HANDLE
#define WSA_NOT_ENOUGH_MEMORY		ERROR_NOT_ENOUGH_MEMORY
#define WSA_INVALID_PARAMETER		ERROR_INVALID_PARAMETER
#define WSA_OPERATION_ABORTED		ERROR_OPERATION_ABORTED
#define WSA_IO_INCOMPLETE		ERROR_IO_INCOMPLETE
#define WSA_IO_PENDING			ERROR_IO_PENDING

#define WSABASEERR			10000
#define WSAEINTR			(WSABASEERR + 4)
#define WSAEBADF			(WSABASEERR + 9)
#define WSAEACCES			(WSABASEERR + 13)
#define WSAEFAULT			(WSABASEERR + 14)
#define WSAEINVAL			(WSABASEERR + 22)
#define WSAEMFILE			(WSABASEERR + 24)
#define WSAEWOULDBLOCK			(WSABASEERR + 35)
#define WSAEINPROGRESS			(WSABASEERR + 36)
#define WSAEALREADY			(WSABASEERR + 37)
#define WSAENOTSOCK			(WSABASEERR + 38)
#define WSAEDESTADDRREQ			(WSABASEERR + 39)
#define WSAEMSGSIZE			(WSABASEERR + 40)
#define WSAEPROTOTYPE			(WSABASEERR + 41)
#define WSAENOPROTOOPT			(WSABASEERR + 42)
#define WSAEPROTONOSUPPORT		(WSABASEERR + 43)
#define WSAESOCKTNOSUPPORT		(WSABASEERR + 44)
#define WSAEOPNOTSUPP			(WSABASEERR + 45)
#define WSAEPFNOSUPPORT			(WSABASEERR + 46)
#define WSAEAFNOSUPPORT			(WSABASEERR + 47)
#define WSAEADDRINUSE			(WSABASEERR + 48)
#define WSAEADDRNOTAVAIL		(WSABASEERR + 49)
#define WSAENETDOWN			(WSABASEERR + 50)
#define WSAENETUNREACH			(WSABASEERR + 51)
#define WSAENETRESET			(WSABASEERR + 52)
#define WSAECONNABORTED			(WSABASEERR + 53)
#define WSAECONNRESET			(WSABASEERR + 54)
#define WSAENOBUFS			(WSABASEERR + 55)
#define WSAEISCONN			(WSABASEERR + 56)
#define WSAENOTCONN			(WSABASEERR + 57)
#define WSAESHUTDOWN			(WSABASEERR + 58)
#define WSAETOOMANYREFS			(WSABASEERR + 59)
#define WSAETIMEDOUT			(WSABASEERR + 60)
#define WSAECONNREFUSED			(WSABASEERR + 61)
#define WSAELOOP			(WSABASEERR + 62)
#define WSAENAMETOOLONG			(WSABASEERR + 63)
#define WSAEHOSTDOWN			(WSABASEERR + 64)
#define WSAEHOSTUNREACH			(WSABASEERR + 65)
#define WSAENOTEMPTY			(WSABASEERR + 66)
#define WSAEPROCLIM			(WSABASEERR + 67)
#define WSAEUSERS			(WSABASEERR + 68)
#define WSAEDQUOT			(WSABASEERR + 69)
#define WSAESTALE			(WSABASEERR + 70)
#define WSAEREMOTE			(WSABASEERR + 71)
#define WSASYSNOTREADY			(WSABASEERR + 91)
#define WSAVERNOTSUPPORTED		(WSABASEERR + 92)
#define WSANOTINITIALISED		(WSABASEERR + 93)
#define WSAEDISCON			(WSABASEERR + 101)
#define WSAENOMORE			(WSABASEERR + 102)
#define WSAECANCELLED			(WSABASEERR + 103)
#define WSAEINVALIDPROCTABLE		(WSABASEERR + 104)
#define WSAEINVALIDPROVIDER		(WSABASEERR + 105)
#define WSAEPROVIDERFAILEDINIT		(WSABASEERR + 106)
#define WSASYSCALLFAILURE		(WSABASEERR + 107)
#define WSASERVICE_NOT_FOUND		(WSABASEERR + 108)
#define WSATYPE_NOT_FOUND		(WSABASEERR + 109)
#define WSA_E_NO_MORE			(WSABASEERR + 110)
#define WSA_E_CANCELLED			(WSABASEERR + 111)
#define WSAEREFUSED			(WSABASEERR + 112)
#define WSAHOST_NOT_FOUND		(WSABASEERR + 1001)
#define WSATRY_AGAIN			(WSABASEERR + 1002)
#define WSANO_RECOVERY			(WSABASEERR + 1003)
#define WSANO_DATA			(WSABASEERR + 1004)

/* ------------------------------------------------------------------ */
/* Socket constants (Windows values).                                  */

#define AF_UNSPEC		0
#define AF_UNIX			1
#define AF_INET			2
#define AF_INET6		23	/* Windows value (Linux: 10) */
#define PF_UNSPEC		AF_UNSPEC
#define PF_UNIX			AF_UNIX
#define PF_INET			AF_INET
#define PF_INET6		AF_INET6

#define SOCK_STREAM		1
#define SOCK_DGRAM		2
#define SOCK_RAW		3
#define SOCK_RDM		4
#define SOCK_SEQPACKET		5

#define IPPROTO_IP		0
#define IPPROTO_ICMP		1
#define IPPROTO_TCP		6
#define IPPROTO_UDP		17
#define IPPROTO_IPV6		41
#define IPPROTO_RAW		255

#define INADDR_ANY		((u_long)0x00000000)
#define INADDR_LOOPBACK		((u_long)0x7f000001)
#define INADDR_BROADCAST	((u_long)0xffffffff)
#define INADDR_NONE		0xffffffff

#define SOMAXCONN		0x7fffffff

#define SOL_SOCKET		0xffff

#define SO_DEBUG		0x0001
#define SO_ACCEPTCONN		0x0002
#define SO_REUSEADDR		0x0004
#define SO_KEEPALIVE		0x0008
#define SO_DONTROUTE		0x0010
#define SO_BROADCAST		0x0020
#define SO_USELOOPBACK		0x0040
#define SO_LINGER		0x0080
#define SO_OOBINLINE		0x0100
#define SO_DONTLINGER		((int)(~SO_LINGER))
#define SO_EXCLUSIVEADDRUSE	((int)(~SO_REUSEADDR))
#define SO_SNDBUF		0x1001
#define SO_RCVBUF		0x1002
#define SO_SNDLOWAT		0x1003
#define SO_RCVLOWAT		0x1004
#define SO_SNDTIMEO		0x1005	/* DWORD milliseconds */
#define SO_RCVTIMEO		0x1006	/* DWORD milliseconds */
#define SO_ERROR		0x1007
#define SO_TYPE			0x1008

#define TCP_NODELAY		0x0001

#define MSG_OOB			0x0001
#define MSG_PEEK		0x0002
#define MSG_DONTROUTE		0x0004
#define MSG_WAITALL		0x0008
#define MSG_PUSH_IMMEDIATE	0x0020
#define MSG_TRUNC		0x0100
#define MSG_CTRUNC		0x0200
#define MSG_PARTIAL		0x8000

#define SD_RECEIVE		0x00
#define SD_SEND			0x01
#define SD_BOTH			0x02

#define CF_ACCEPT		0x0000
#define CF_REJECT		0x0001
#define CF_DEFER		0x0002

#define WSA_FLAG_OVERLAPPED	0x01

/*
 * ioctlsocket() commands, spelled out: Windows builds them with _IOR/_IOW
 * macros that would clash with <linux/ioctl.h>.  FIONBIO is
 * _IOW('f', 126, u_long): it encodes a 4-byte u_long.
 */
#define FIONBIO			((u_long)0x8004667E)
#define FIONREAD		((u_long)0x4004667F)
#define SIOCATMARK		((u_long)0x40047307)

/* struct linger: two u_short fields (Linux has two ints). */
struct linger {
	u_short		l_onoff;
	u_short		l_linger;	/* seconds */
};
typedef struct linger LINGER, *PLINGER, *LPLINGER;

/* ------------------------------------------------------------------ */
/* Addresses.  Layouts equal Linux's; field names are Windows'.        */

typedef USHORT ADDRESS_FAMILY;

struct sockaddr {
	ADDRESS_FAMILY	sa_family;
	CHAR		sa_data[14];
};
typedef struct sockaddr SOCKADDR, *PSOCKADDR, *LPSOCKADDR;

typedef struct in_addr {
	union {
		struct { UCHAR s_b1, s_b2, s_b3, s_b4; } S_un_b;
		struct { USHORT s_w1, s_w2; } S_un_w;
		ULONG S_addr;
	} S_un;
} IN_ADDR, *PIN_ADDR, *LPIN_ADDR;
#define s_addr		S_un.S_addr
#define s_host		S_un.S_un_b.s_b2
#define s_net		S_un.S_un_b.s_b1
#define s_imp		S_un.S_un_w.s_w2
#define s_impno		S_un.S_un_b.s_b4
#define s_lh		S_un.S_un_b.s_b3

struct sockaddr_in {
	ADDRESS_FAMILY	sin_family;
	USHORT		sin_port;	/* network order */
	struct in_addr	sin_addr;	/* network order */
	CHAR		sin_zero[8];
};
typedef struct sockaddr_in SOCKADDR_IN, *PSOCKADDR_IN, *LPSOCKADDR_IN;

typedef struct in6_addr {
	union {
		UCHAR	Byte[16];
		USHORT	Word[8];
	} u;
} IN6_ADDR, *PIN6_ADDR, *LPIN6_ADDR;
#define in_addr6	in6_addr
#define s6_addr		u.Byte
#define s6_bytes	u.Byte
#define s6_words	u.Word

struct sockaddr_in6 {
	ADDRESS_FAMILY	sin6_family;
	USHORT		sin6_port;
	ULONG		sin6_flowinfo;
	IN6_ADDR	sin6_addr;
	ULONG		sin6_scope_id;
};
typedef struct sockaddr_in6 SOCKADDR_IN6, *PSOCKADDR_IN6, *LPSOCKADDR_IN6;

struct sockaddr_storage {
	ADDRESS_FAMILY	ss_family;
	CHAR		__ss_pad1[6];
	int64_t		__ss_align;
	CHAR		__ss_pad2[112];
};
typedef struct sockaddr_storage SOCKADDR_STORAGE, *PSOCKADDR_STORAGE,
	*LPSOCKADDR_STORAGE;

#define INET_ADDRSTRLEN		22
#define INET6_ADDRSTRLEN	65

/* ------------------------------------------------------------------ */
/* select(): Winsock's fd_set and struct timeval.                      */

#ifndef FD_SETSIZE
#define FD_SETSIZE		64
#endif

/*
 * A list of up to FD_SETSIZE sockets, not a bitmap.  select() only looks
 * at fd_array[0 .. fd_count - 1], so sets of any FD_SETSIZE can be mixed.
 */
typedef struct fd_set {
	u_int		fd_count;
	SOCKET		fd_array[FD_SETSIZE];
} fd_set, FD_SET, *PFD_SET, *LPFD_SET;

/* Nonzero when @fd is in @set (what FD_ISSET() calls, as on Windows). */
int WSAAPI __WSAFDIsSet(SOCKET fd, fd_set *set);

#define FD_CLR(fd, set) do {						\
	u_int __i;							\
	for (__i = 0; __i < ((fd_set *)(set))->fd_count; __i++) {	\
		if (((fd_set *)(set))->fd_array[__i] == (SOCKET)(fd)) {	\
			while (__i < ((fd_set *)(set))->fd_count - 1) {	\
				((fd_set *)(set))->fd_array[__i] =	\
				    ((fd_set *)(set))->fd_array[__i + 1]; \
				__i++;					\
			}						\
			((fd_set *)(set))->fd_count--;			\
			break;						\
		}							\
	}								\
} while (0)

#define FD_SET(fd, set) do {						\
	u_int __i;							\
	for (__i = 0; __i < ((fd_set *)(set))->fd_count; __i++)		\
		if (((fd_set *)(set))->fd_array[__i] == (SOCKET)(fd))	\
			break;						\
	if (__i == ((fd_set *)(set))->fd_count &&			\
	    ((fd_set *)(set))->fd_count < (u_int)FD_SETSIZE) {		\
		((fd_set *)(set))->fd_array[__i] = (SOCKET)(fd);	\
		((fd_set *)(set))->fd_count++;				\
	}								\
} while (0)

#define FD_ZERO(set)		(((fd_set *)(set))->fd_count = 0)
#define FD_ISSET(fd, set)	__WSAFDIsSet((SOCKET)(fd), (fd_set *)(set))

/* Windows' struct timeval: two 32-bit LONGs (Linux has two 64-bit longs). */
struct timeval {
	LONG		tv_sec;
	LONG		tv_usec;
};
typedef struct timeval TIMEVAL, *PTIMEVAL, *LPTIMEVAL;

#ifndef timerisset
#define timerisset(tvp)		((tvp)->tv_sec || (tvp)->tv_usec)
#endif
#ifndef timerclear
#define timerclear(tvp)		((tvp)->tv_sec = (tvp)->tv_usec = 0)
#endif
#ifndef timercmp
#define timercmp(a, b, CMP)						\
	(((a)->tv_sec == (b)->tv_sec) ? ((a)->tv_usec CMP (b)->tv_usec) : \
					((a)->tv_sec CMP (b)->tv_sec))
#endif

/* ------------------------------------------------------------------ */
/* WSAPoll(): the C library's struct pollfd, Windows' POLL* values.    */

typedef struct pollfd WSAPOLLFD, *PWSAPOLLFD, *LPWSAPOLLFD;

#define POLLRDNORM		0x0100
#define POLLRDBAND		0x0200
#define POLLIN			(POLLRDNORM | POLLRDBAND)
#define POLLPRI			0x0400
#define POLLWRNORM		0x0010
#define POLLOUT			(POLLWRNORM)
#define POLLWRBAND		0x0020
#define POLLERR			0x0001
#define POLLHUP			0x0002
#define POLLNVAL		0x0004

/* ------------------------------------------------------------------ */
/* Byte order and address helpers.                                     */

/* The C library exports these four with these types. */
u_long WSAAPI htonl(u_long hostlong);
u_short WSAAPI htons(u_short hostshort);
u_long WSAAPI ntohl(u_long netlong);
u_short WSAAPI ntohs(u_short netshort);

/*
 * Dotted IPv4 text to a network-order address; INADDR_NONE when @cp is
 * not one (or is NULL).  Needs no WSAStartup.
 */
u_long WSAAPI inet_addr(const char *cp) WSAEVENT_SYMBOL(inet_addr);
/* Dotted text of @in, in a buffer of the calling thread's. */
char *WSAAPI inet_ntoa(struct in_addr in) WSAEVENT_SYMBOL(inet_ntoa);

/* ------------------------------------------------------------------ */
/* Functions.                                                          */

/* Library lifetime and errors. */
int WSAAPI WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData);
int WSAAPI WSACleanup(void);
int WSAAPI WSAGetLastError(void);
void WSAAPI WSASetLastError(int iError);

/* Event objects. */
WSAEVENT WSAAPI WSACreateEvent(void);
BOOL WSAAPI WSACloseEvent(WSAEVENT hEvent);
BOOL WSAAPI WSASetEvent(WSAEVENT hEvent);
BOOL WSAAPI WSAResetEvent(WSAEVENT hEvent);
DWORD WSAAPI WSAWaitForMultipleEvents(DWORD cEvents,
				      const WSAEVENT *lphEvents,
				      BOOL fWaitAll, DWORD dwTimeout,
				      BOOL fAlertable);

/*
 * Sockets.  Each fails with SOCKET_ERROR (INVALID_SOCKET for socket and
 * accept) and a Winsock code in WSAGetLastError(), WSANOTINITIALISED
 * without WSAStartup; success sets the last error to 0.
 */
SOCKET WSAAPI socket(int af, int type, int protocol) WSAEVENT_SYMBOL(socket);
int WSAAPI bind(SOCKET s, const struct sockaddr *name, int namelen)
	WSAEVENT_SYMBOL(bind);
int WSAAPI listen(SOCKET s, int backlog) WSAEVENT_SYMBOL(listen);
SOCKET WSAAPI accept(SOCKET s, struct sockaddr *addr, int *addrlen)
	WSAEVENT_SYMBOL(accept);
int WSAAPI connect(SOCKET s, const struct sockaddr *name, int namelen)
	WSAEVENT_SYMBOL(connect);
int WSAAPI send(SOCKET s, const char *buf, int len, int flags)
	WSAEVENT_SYMBOL(send);
int WSAAPI sendto(SOCKET s, const char *buf, int len, int flags,
		  const struct sockaddr *to, int tolen) WSAEVENT_SYMBOL(sendto);
int WSAAPI recv(SOCKET s, char *buf, int len, int flags)
	WSAEVENT_SYMBOL(recv);
int WSAAPI recvfrom(SOCKET s, char *buf, int len, int flags,
		    struct sockaddr *from, int *fromlen)
	WSAEVENT_SYMBOL(recvfrom);
int WSAAPI shutdown(SOCKET s, int how) WSAEVENT_SYMBOL(shutdown);
int WSAAPI closesocket(SOCKET s) WSAEVENT_SYMBOL(closesocket);
int WSAAPI ioctlsocket(SOCKET s, LONG cmd, u_long *argp)
	WSAEVENT_SYMBOL(ioctlsocket);
int WSAAPI setsockopt(SOCKET s, int level, int optname, const char *optval,
		      int optlen) WSAEVENT_SYMBOL(setsockopt);
int WSAAPI getsockopt(SOCKET s, int level, int optname, char *optval,
		      int *optlen) WSAEVENT_SYMBOL(getsockopt);
int WSAAPI getsockname(SOCKET s, struct sockaddr *name, int *namelen)
	WSAEVENT_SYMBOL(getsockname);
int WSAAPI getpeername(SOCKET s, struct sockaddr *name, int *namelen)
	WSAEVENT_SYMBOL(getpeername);
/* @nfds is ignored; the symbol is wsaevent_select (a macro, see the top). */
int WSAAPI select(int nfds, fd_set *readfds, fd_set *writefds,
		  fd_set *exceptfds, const struct timeval *timeout);
int WSAAPI WSAPoll(LPWSAPOLLFD fdArray, ULONG fds, INT timeout);

/* Network events. */
int WSAAPI WSAEventSelect(SOCKET s, WSAEVENT hEventObject,
			  LONG lNetworkEvents);
int WSAAPI WSAEnumNetworkEvents(SOCKET s, WSAEVENT hEventObject,
				LPWSANETWORKEVENTS lpNetworkEvents);

/*
 * Overlapped I/O.  Without lpOverlapped these are send/recv with a list
 * of buffers; with one the kernel carries the operation out and
 * completes it (SOCKET_ERROR with WSA_IO_PENDING while it runs), then
 * signals lpOverlapped->hEvent, or, with lpCompletionRoutine, queues the
 * routine for an alertable wait of the calling thread
 * (WSAWaitForMultipleEvents with fAlertable; WSASleepEx in <wsaevent.h>).
 */
int WSAAPI WSASend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
		   LPDWORD lpNumberOfBytesSent, DWORD dwFlags,
		   LPWSAOVERLAPPED lpOverlapped,
		   LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
int WSAAPI WSASendTo(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
		     LPDWORD lpNumberOfBytesSent, DWORD dwFlags,
		     const struct sockaddr *lpTo, int iTolen,
		     LPWSAOVERLAPPED lpOverlapped,
		     LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
int WSAAPI WSARecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
		   LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
		   LPWSAOVERLAPPED lpOverlapped,
		   LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
int WSAAPI WSARecvFrom(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
		       LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
		       struct sockaddr *lpFrom, LPINT lpFromlen,
		       LPWSAOVERLAPPED lpOverlapped,
		       LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
BOOL WSAAPI WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped,
				   LPDWORD lpcbTransfer, BOOL fWait,
				   LPDWORD lpdwFlags);

#ifdef __cplusplus
}
#endif

#endif /* _WINSOCK2API_ */
