// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * WSAStartup / WSACleanup: the library's reference count and the
 * process's /dev/wsaevent context.
 *
 * The first successful WSAStartup opens /dev/wsaevent once for the
 * process; the context stays open until exit, through any number of
 * WSACleanup/WSAStartup cycles, because events created from it must keep
 * working (kernel32 events do not die with Winsock either).
 *
 * After fork() the child inherits the count and the context (the same
 * open file: its waits and events are the parent's context's).  After
 * exec() the context fd is gone (O_CLOEXEC) and the state is fresh.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define WSAEVENT_DEVICE		"/dev/wsaevent"

/* What WSADATA reports (the strings are the ones Windows returns). */
#define WSA_HIGH_VERSION	MAKEWORD(2, 2)
#define WSA_DESCRIPTION		"WinSock 2.0"
#define WSA_SYSTEM_STATUS	"Running"
#define WSA_V1_MAX_SOCKETS	32767	/* Winsock 1.x only; 0 for 2.x */
#define WSA_V1_MAX_UDP_DG	65467

static pthread_mutex_t startup_lock = PTHREAD_MUTEX_INITIALIZER;
/* Outstanding WSAStartup calls.  Written under startup_lock. */
static unsigned int startup_count;
/* The context; -1 until the first successful WSAStartup, then constant. */
static int device_fd = -1;

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* Keep startup_lock usable in a child forked while another thread held it. */
static void atfork_prepare(void)
{
	pthread_mutex_lock(&startup_lock);
}

static void atfork_release(void)
{
	pthread_mutex_unlock(&startup_lock);
}

static void register_atfork(void)
{
	pthread_atfork(atfork_prepare, atfork_release, atfork_release);
}

int libwsaevent_device_fd(void)
{
	return __atomic_load_n(&device_fd, __ATOMIC_ACQUIRE);
}

int libwsaevent_started(void)
{
	return __atomic_load_n(&startup_count, __ATOMIC_ACQUIRE) != 0;
}

/*
 * The version WSAStartup grants for a request, as Windows does: 1.0, 1.1,
 * 2.0, 2.1 and 2.2 as asked; 1.2-1.255 -> 1.1; anything above 2.2 ->
 * 2.2.  A 0.x request fails; Windows then still reports 2.2 in WSADATA.
 */
static WORD granted_version(WORD requested)
{
	BYTE major = LOBYTE(requested), minor = HIBYTE(requested);

	if (major == 0 || major > 2 || (major == 2 && minor > 2))
		return WSA_HIGH_VERSION;
	if (major == 1 && minor > 1)
		return MAKEWORD(1, 1);
	return requested;
}

static void fill_wsadata(WORD requested, LPWSADATA data)
{
	WORD version = granted_version(requested);

	data->wVersion = version;
	data->wHighVersion = WSA_HIGH_VERSION;
	memset(data->szDescription, 0, sizeof(data->szDescription));
	memcpy(data->szDescription, WSA_DESCRIPTION, sizeof(WSA_DESCRIPTION));
	memset(data->szSystemStatus, 0, sizeof(data->szSystemStatus));
	memcpy(data->szSystemStatus, WSA_SYSTEM_STATUS,
	       sizeof(WSA_SYSTEM_STATUS));
	if (LOBYTE(version) == 1) {
		data->iMaxSockets = WSA_V1_MAX_SOCKETS;
		data->iMaxUdpDg = WSA_V1_MAX_UDP_DG;
	} else {
		data->iMaxSockets = 0;
		data->iMaxUdpDg = 0;
	}
	/* Windows leaves it untouched; NULL is the safe value to hand out. */
	data->lpVendorInfo = NULL;
}

/*
 * Returns 0 or the error code itself (never through the last error):
 * WSAVERNOTSUPPORTED for a 0.x request (checked first, as on Windows),
 * WSAEFAULT for a NULL lpWSAData, WSASYSNOTREADY when /dev/wsaevent
 * cannot be opened (module not loaded), WSAEPROCLIM when the count would
 * overflow.  Success sets the last error to 0, as Windows does.
 */
WSA_EXPORT int WSAAPI WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData)
{
	int fd;

	if (lpWSAData)
		fill_wsadata(wVersionRequested, lpWSAData);
	if (LOBYTE(wVersionRequested) == 0)
		return WSAVERNOTSUPPORTED;
	if (!lpWSAData)
		return WSAEFAULT;

	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&startup_lock);
	if (startup_count == UINT_MAX) {
		pthread_mutex_unlock(&startup_lock);
		return WSAEPROCLIM;
	}
	if (device_fd < 0) {
		fd = open(WSAEVENT_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			pthread_mutex_unlock(&startup_lock);
			return WSASYSNOTREADY;
		}
		__atomic_store_n(&device_fd, fd, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&startup_count, startup_count + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&startup_lock);

	libwsaevent_set_error(0);
	return 0;
}

WSA_EXPORT int WSAAPI WSACleanup(void)
{
	pthread_mutex_lock(&startup_lock);
	if (startup_count == 0) {
		pthread_mutex_unlock(&startup_lock);
		libwsaevent_set_error(WSANOTINITIALISED);
		return SOCKET_ERROR;
	}
	__atomic_store_n(&startup_count, startup_count - 1, __ATOMIC_RELEASE);
	if (startup_count == 0) {
		/*
		 * The final cleanup closes every socket that socket() or
		 * accept() made and that is still open, as if by closesocket
		 * (spec §4: later use of those sockets fails with
		 * WSAENOTSOCK, even after a new WSAStartup).  Events and the
		 * /dev/wsaevent context stay.
		 */
		libwsaevent_sockfd_close_all(device_fd);
	}
	pthread_mutex_unlock(&startup_lock);
	libwsaevent_set_error(0);
	return 0;
}
