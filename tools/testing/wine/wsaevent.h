/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stand-in for libwsaevent's <wsaevent.h> when the wsa_events selftests
 * are built for Windows (tools/testing/wine/run.sh): there the extensions
 * are kernel32's own calls.
 */
#ifndef WSA_WINE_WSAEVENT_H
#define WSA_WINE_WSAEVENT_H

#include <windows.h>

#define WSACreateEventEx(manual, initial) CreateEventW(NULL, (manual), (initial), NULL)
#define WSASleepEx SleepEx

#endif /* WSA_WINE_WSAEVENT_H */
