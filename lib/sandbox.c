/*
 * sandbox.c: what the issuance worker may still do once its CA keys are
 * loaded and its database connection is open.  It signs and talks to
 * PostgreSQL; it never needs to run a program, to create, write, rename or
 * remove a file, or to change the system.  PR_SET_NO_NEW_PRIVS and a
 * seccomp filter (libseccomp) take those away for the rest of the
 * process's life, so a flaw in the code that parses requests cannot turn
 * the key holder into a shell or a file writer.  Reading stays allowed:
 * a SIGHUP reloads the CA keys, libc may load gconv modules.
 *
 * The filter is a deny list over an allowed default, stated here in full:
 * an allow list would have to follow every libc and libpq release.
 */
#include <sys/ioctl.h>
#include <sys/prctl.h>

#include <sched.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <seccomp.h>

#include "ra.h"
#include "domain.h"
#include "ca.h"

/* Refused outright, whatever the arguments. */
static const int deny_always[] = {
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(creat),
	SCMP_SYS(openat2),	/* its flags sit in a struct seccomp cannot read */
	SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(rename),
	SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(mkdir),
	SCMP_SYS(mkdirat), SCMP_SYS(rmdir), SCMP_SYS(link), SCMP_SYS(linkat),
	SCMP_SYS(symlink), SCMP_SYS(symlinkat), SCMP_SYS(chmod),
	SCMP_SYS(fchmodat), SCMP_SYS(chown), SCMP_SYS(lchown),
	SCMP_SYS(fchownat), SCMP_SYS(truncate), SCMP_SYS(mknod),
	SCMP_SYS(mknodat), SCMP_SYS(ptrace), SCMP_SYS(process_vm_writev),
	SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root),
	SCMP_SYS(chroot), SCMP_SYS(unshare), SCMP_SYS(setns),
	SCMP_SYS(bpf), SCMP_SYS(perf_event_open), SCMP_SYS(kexec_load),
	SCMP_SYS(init_module), SCMP_SYS(finit_module),
	SCMP_SYS(delete_module), SCMP_SYS(keyctl), SCMP_SYS(add_key),
	SCMP_SYS(request_key), SCMP_SYS(setuid), SCMP_SYS(setgid),
	SCMP_SYS(setreuid), SCMP_SYS(setregid), SCMP_SYS(setresuid),
	SCMP_SYS(setresgid), SCMP_SYS(setgroups),
	/* io_uring runs opens, renames and links past seccomp */
	SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter),
	SCMP_SYS(io_uring_register),
	SCMP_SYS(pidfd_getfd),	/* a writable fd from another process */
	SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at),
	SCMP_SYS(fchmod), SCMP_SYS(fchown), SCMP_SYS(utimensat),
	SCMP_SYS(utimes), SCMP_SYS(futimesat), SCMP_SYS(utime),
	SCMP_SYS(setxattr), SCMP_SYS(lsetxattr), SCMP_SYS(fsetxattr),
	SCMP_SYS(removexattr), SCMP_SYS(lremovexattr),
	SCMP_SYS(fremovexattr), SCMP_SYS(ftruncate), SCMP_SYS(fallocate),
};

/* Namespaces, through clone(2) as through unshare(2). */
static const scmp_datum_t clone_new[] = {
	CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
	CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
};

/*
 * open(2) and openat(2) for anything but reading: a write access mode, or
 * O_CREAT, O_TRUNC or O_APPEND.  "arg" is the flags' argument number.
 */
static int
deny_write_open(scmp_filter_ctx ctx, int sys, unsigned int arg)
{
	static const struct {
		scmp_datum_t	 mask, value;
	} bad[] = {
		{ O_ACCMODE, O_WRONLY },
		{ O_ACCMODE, O_RDWR },
		{ O_CREAT, O_CREAT },
		{ O_TRUNC, O_TRUNC },
		{ O_APPEND, O_APPEND },
	};
	size_t	 i;

	for (i = 0; i < RA_NITEMS(bad); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), sys, 1,
		    SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, bad[i].mask,
		    bad[i].value)) != 0)
			return -1;
	return 0;
}

/*
 * From now on: no new privileges, no exec, no file created or changed.
 * RA_ESYS if the kernel refuses the filter (the caller must then not go
 * on signing: a worker that cannot confine itself says so and stops).
 */
enum ra_err
ra_sandbox_worker(void)
{
	scmp_filter_ctx	 ctx;
	size_t		 i;
	int		 rc = -1;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		ra_warnx("sandbox: PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return RA_ESYS;
	}
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL) {
		ra_warnx("sandbox: seccomp_init failed");
		return RA_ESYS;
	}
	for (i = 0; i < RA_NITEMS(deny_always); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
		    deny_always[i], 0) != 0)
			goto out;
	if (deny_write_open(ctx, SCMP_SYS(open), 1) != 0 ||
	    deny_write_open(ctx, SCMP_SYS(openat), 2) != 0)
		goto out;
	/*
	 * clone3 takes its flags in a struct seccomp cannot read: ENOSYS, so
	 * libc falls back to clone, whose namespace flags are refused.  And
	 * TIOCSTI, which would type into a terminal the worker was started on.
	 */
	for (i = 0; i < RA_NITEMS(clone_new); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone),
		    1, SCMP_A0(SCMP_CMP_MASKED_EQ, clone_new[i], clone_new[i])) !=
		    0)
			goto out;
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3),
	    0) != 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_EQ, TIOCSTI, 0)) != 0)
		goto out;
	rc = seccomp_load(ctx);
out:
	seccomp_release(ctx);
	if (rc != 0) {
		ra_warnx("sandbox: the seccomp filter was not loaded (%d)", rc);
		return RA_ESYS;
	}
	return RA_OK;
}
