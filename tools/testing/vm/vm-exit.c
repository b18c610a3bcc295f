// SPDX-License-Identifier: GPL-2.0-only
/*
 * vm-exit: end the QEMU guest at once with a status.
 *
 * Writes the status byte to QEMU's isa-debug-exit device (-device
 * isa-debug-exit,iobase=0xf4,iosize=0x04); QEMU then exits with
 * (status << 1) | 1.  Works without ACPI.  Returns 1 when the port
 * cannot be reached (not QEMU, no such device, no CAP_SYS_RAWIO), so the
 * caller can fall back to "poweroff -f".
 *
 * Usage: vm-exit [STATUS]   (STATUS 0..255, default 0)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

#define DEBUG_EXIT_PORT 0xf4

int main(int argc, char **argv)
{
	unsigned long status = 0;
	char *end;

	if (argc > 1) {
		status = strtoul(argv[1], &end, 0);
		if (*argv[1] == '\0' || *end != '\0' || status > 255) {
			fprintf(stderr, "usage: %s [STATUS 0..255]\n", argv[0]);
			return 2;
		}
	}
	fflush(NULL);
	if (ioperm(DEBUG_EXIT_PORT, 4, 1)) {
		perror("vm-exit: ioperm");
		return 1;
	}
	outb((unsigned char)status, DEBUG_EXIT_PORT);
	/* Still here: no isa-debug-exit device at that port. */
	fprintf(stderr, "vm-exit: isa-debug-exit did not end the machine\n");
	return 1;
}
