/* Prints CLOCK_MONOTONIC in nanoseconds as soon as main() runs, then exits at once with _exit(0).
 * The JVM's System.nanoTime() reads the same clock on Linux, so ExitLatency can split a call into
 * "call -> child running" and "child exit -> result delivered". Built by jmh/run.sh when a C compiler exists. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%lld", (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec);
    if (write(1, buf, (size_t) n) != n) {
        _exit(1);
    }
    _exit(0);
}
