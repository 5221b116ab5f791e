//go:build linux

package render

// v8go's prebuilt V8 library was built against glibc 2.38, whose headers map
// strtoul, sscanf and friends to their C23 versions (__isoc23_*). Debian 12
// ships glibc 2.36, which lacks those names, so the link fails there. The
// definitions below forward them to the classic functions, which behave the same
// for everything V8 parses (no "0b" prefixes); with a newer glibc, the
// program's own definitions simply take precedence over the library's.

/*
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

unsigned long __isoc23_strtoul(const char *s, char **end, int base) { return strtoul(s, end, base); }
unsigned long long __isoc23_strtoull(const char *s, char **end, int base) { return strtoull(s, end, base); }
long __isoc23_strtol(const char *s, char **end, int base) { return strtol(s, end, base); }
long long __isoc23_strtoll(const char *s, char **end, int base) { return strtoll(s, end, base); }

int __isoc23_sscanf(const char *s, const char *format, ...) {
	va_list ap;
	va_start(ap, format);
	int n = vsscanf(s, format, ap);
	va_end(ap);
	return n;
}

int __isoc23_fscanf(FILE *f, const char *format, ...) {
	va_list ap;
	va_start(ap, format);
	int n = vfscanf(f, format, ap);
	va_end(ap);
	return n;
}
*/
import "C"
