// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the User-Mode Linux runs (scripts/uml.sh): load the modules that
 * /modules.list names, one "path [parameters]" per line, in order, then
 * power off. KUnit suites and the kernel benchmark run while their module
 * loads and print to the console.
 *
 * Built with the kernel's nolibc (tools/include/nolibc), not glibc: on hosts
 * with AMX, a UML process loses state that glibc's start-up code relies on.
 */
#include <linux/reboot.h>

#define LIST_MAX	4096

static void say(const char *s)
{
	write(1, s, strlen(s));
}

static int load(char *line)
{
	char *params = strchr(line, ' ');
	int fd, ret;

	if (params)
		*params++ = '\0';
	say("uml-init: insmod ");
	say(line);
	say("\n");
	fd = open(line, O_RDONLY, 0);
	if (fd < 0) {
		say("uml-init: cannot open it\n");
		return -1;
	}
	ret = my_syscall3(__NR_finit_module, fd, params ? params : "", 0);
	close(fd);
	if (ret < 0) {
		say("uml-init: insmod failed\n");
		return -1;
	}
	return 0;
}

int main(void)
{
	static char list[LIST_MAX];
	char *line, *nl;
	int fd, n, failed = 0;

	fd = open("/modules.list", O_RDONLY, 0);
	n = fd < 0 ? -1 : read(fd, list, sizeof(list) - 1);
	if (n < 0) {
		say("uml-init: no /modules.list\n");
		failed = 1;
		n = 0;
	}
	list[n] = '\0';
	for (line = list; *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		else
			nl = line + strlen(line);
		if (*line && *line != '#' && load(line))
			failed = 1;
	}
	say(failed ? "uml-init: FAILED\n" : "uml-init: done\n");
	reboot(LINUX_REBOOT_CMD_POWER_OFF);
	return 0;
}
