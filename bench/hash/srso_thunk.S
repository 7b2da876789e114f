/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shape of the kernel's SRSO "Safe RET" return thunk
 * (arch/x86/lib/retpoline.S: srso_return_thunk / srso_safe_ret, and the
 * srso_alias_* pair used on Zen 3/4).  With -mfunction-return=thunk-extern
 * every "ret" of the code compiled so becomes "jmp __x86_return_thunk",
 * which calls a stub that drops its own return address and returns: the
 * return predictor expects the ud2 after the call, so each function return
 * is a mispredicted branch.  This reproduces the cost an out-of-line call
 * into vmlinux pays on such a kernel; it is not a copy of the kernel code
 * (no alignment/alias tricks, which only matter for the security property).
 */
	.text
	.p2align 6
srso_safe_ret:
	lea	8(%rsp), %rsp
	ret
	int3

	.globl	__x86_return_thunk
	.type	__x86_return_thunk, @function
__x86_return_thunk:
	call	srso_safe_ret
	ud2
	.size	__x86_return_thunk, . - __x86_return_thunk

	.section .note.GNU-stack, "", @progbits
