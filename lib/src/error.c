// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * WSAGetLastError / WSASetLastError: the per-thread last error, and the
 * errno -> Winsock error mapping used by the library.
 */
#include <errno.h>

#include "internal.h"

/* Each thread starts with 0, like a new Windows thread. */
static __thread int last_error;

WSA_EXPORT int WSAAPI WSAGetLastError(void)
{
	return last_error;
}

WSA_EXPORT void WSAAPI WSASetLastError(int iError)
{
	last_error = iError;
}

void libwsaevent_set_error(int wsa_error)
{
	last_error = wsa_error;
}

int libwsaevent_errno_to_wsa(int err)
{
	switch (err) {
	case 0:			return 0;
	case EINTR:		return WSAEINTR;
	case EBADF:		return WSAEBADF;
	case EPERM:
	case EACCES:		return WSAEACCES;
	case EFAULT:		return WSAEFAULT;
	case EINVAL:		return WSAEINVAL;
	case EMFILE:
	case ENFILE:		return WSAEMFILE;
	case EWOULDBLOCK:	return WSAEWOULDBLOCK;	/* == EAGAIN */
	case EINPROGRESS:	return WSAEINPROGRESS;
	case EALREADY:		return WSAEALREADY;
	case ENOTSOCK:		return WSAENOTSOCK;
	case EDESTADDRREQ:	return WSAEDESTADDRREQ;
	case EMSGSIZE:		return WSAEMSGSIZE;
	case EPROTOTYPE:	return WSAEPROTOTYPE;
	case ENOPROTOOPT:	return WSAENOPROTOOPT;
	case EPROTONOSUPPORT:	return WSAEPROTONOSUPPORT;
	case ESOCKTNOSUPPORT:	return WSAESOCKTNOSUPPORT;
	case EOPNOTSUPP:	return WSAEOPNOTSUPP;	/* == ENOTSUP */
	case EPFNOSUPPORT:	return WSAEPFNOSUPPORT;
	case EAFNOSUPPORT:	return WSAEAFNOSUPPORT;
	case EADDRINUSE:	return WSAEADDRINUSE;
	case EADDRNOTAVAIL:	return WSAEADDRNOTAVAIL;
	case ENETDOWN:		return WSAENETDOWN;
	case ENETUNREACH:	return WSAENETUNREACH;
	case ENETRESET:		return WSAENETRESET;
	case ECONNABORTED:	return WSAECONNABORTED;
	case ECONNRESET:	return WSAECONNRESET;
	case ENOMEM:
	case ENOBUFS:		return WSAENOBUFS;
	case EISCONN:		return WSAEISCONN;
	case ENOTCONN:		return WSAENOTCONN;
	case ESHUTDOWN:		return WSAESHUTDOWN;
	case ETOOMANYREFS:	return WSAETOOMANYREFS;
	case ETIMEDOUT:		return WSAETIMEDOUT;
	case ECONNREFUSED:	return WSAECONNREFUSED;
	case ELOOP:		return WSAELOOP;
	case ENAMETOOLONG:	return WSAENAMETOOLONG;
	case EHOSTDOWN:		return WSAEHOSTDOWN;
	case EHOSTUNREACH:	return WSAEHOSTUNREACH;
	case ENOTEMPTY:		return WSAENOTEMPTY;
	case EUSERS:		return WSAEUSERS;
	case EDQUOT:		return WSAEDQUOT;
	case ESTALE:		return WSAESTALE;
	case EREMOTE:		return WSAEREMOTE;
	/*
	 * EPIPE has no single Winsock meaning (WSAESHUTDOWN after a local
	 * SD_SEND, WSAECONNRESET after a reset): socket calls decide.
	 */
	default:		return WSASYSCALLFAILURE;
	}
}

int libwsaevent_sock_fail(int wsa_error)
{
	last_error = wsa_error;
	return SOCKET_ERROR;
}

int libwsaevent_sock_error(int err)
{
	switch (err) {
	case EBADF:		/* closed */
	case ENOTSOCK:		/* not a socket */
	case ENOTTY:		/* a socket ioctl on something else */
		return WSAENOTSOCK;
	default:
		return libwsaevent_errno_to_wsa(err);
	}
}
