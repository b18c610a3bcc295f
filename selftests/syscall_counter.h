/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The system-call counter of the library tests (x86_64 only): include it
 * after kselftest_harness.h, inside #if defined(__x86_64__).
 */
#ifndef WSAEVENT_SYSCALL_COUNTER_H
#define WSAEVENT_SYSCALL_COUNTER_H

/*
 * How the system calls of one Winsock call are counted: a seccomp filter
 * traps (SIGSYS) every system call of the process except those made by
 * the one syscall instruction in counted_syscall() below, and except
 * rt_sigreturn.  The SIGSYS handler counts the trapped call when counting
 * is on, then makes it itself through counted_syscall() and stores the
 * result in the interrupted context, so the program runs on as before.
 * Every system call the library makes is seen: it cannot escape the
 * filter, and the vDSO (clock_gettime) makes none.
 */
extern long counted_syscall(long nr, long a1, long a2, long a3, long a4,
			    long a5, long a6);
extern char counted_syscall_ret[];
__asm__(".text\n"
	".globl counted_syscall\n"
	".type counted_syscall, @function\n"
	"counted_syscall:\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov %r8, %r10\n"
	"	mov %r9, %r8\n"
	"	mov 8(%rsp), %r9\n"
	"	syscall\n"
	".globl counted_syscall_ret\n"
	"counted_syscall_ret:\n"
	"	ret\n"
	".size counted_syscall, . - counted_syscall\n");

#define MAX_SEEN	16
static volatile int counting;
static volatile int nr_seen;
static volatile long seen[MAX_SEEN];

static void sigsys(int sig, siginfo_t *si, void *ctx)
{
	greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;

	(void)sig;
	if (counting) {
		if (nr_seen < MAX_SEEN)
			seen[nr_seen] = si->si_syscall;
		nr_seen++;
	}
	g[REG_RAX] = counted_syscall(si->si_syscall, g[REG_RDI], g[REG_RSI],
				     g[REG_RDX], g[REG_R10], g[REG_R8],
				     g[REG_R9]);
}

/* From now on, every system call of this process goes through sigsys(). */
static int start_syscall_counter(void)
{
	uint64_t ip = (uint64_t)(uintptr_t)counted_syscall_ret;
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_rt_sigreturn, 5, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, instruction_pointer)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)ip, 0, 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, instruction_pointer) + 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(ip >> 32), 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigsys;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGSYS, &sa, NULL) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

#define COUNT_SYSCALLS(call) ({						\
	nr_seen = 0;							\
	counting = 1;							\
	__typeof__(call) __r = (call);					\
	counting = 0;							\
	__r;								\
})

#endif /* WSAEVENT_SYSCALL_COUNTER_H */
