/*
 * Linked only into the ASan+UBSan obsenv that `make e2e-asan` installs
 * setuid into the suite's temporary prefix; never into a shipped binary.
 *
 * The sanitizer runtimes read their options before main() runs, so
 * obsenv's own environment scrubbing comes too late for them: that is why
 * such a build must never be installed for real. Here the options the
 * suite needs are compiled in. Reports go to files in SAN_LOG_DIR (a
 * sticky 1777 directory: obsenv reports as whichever account it runs as
 * by then), where the suite's last test looks for them. LeakSanitizer is
 * off: it stops the process with ptrace, which the seccomp filter forbids;
 * leaks are the unit tests' job, under ASan and valgrind.
 */
#ifndef SAN_LOG_DIR
#error "SAN_LOG_DIR must name the report directory"
#endif

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void)
{
	return "detect_leaks=0:abort_on_error=0:exitcode=97:detect_stack_use_after_return=1"
	       ":check_initialization_order=1:strict_string_checks=1"
	       ":log_path=" SAN_LOG_DIR "/asan";
}

const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1:exitcode=97:log_path=" SAN_LOG_DIR "/ubsan";
}
