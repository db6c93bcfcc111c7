#define _GNU_SOURCE
#include "listen_ports.h"

#include <dlfcn.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

// The plan belongs to the thread that armed it: librdkafka binds a mock broker's listener on the thread that
// calls rd_kafka_mock_cluster_new, so a cluster started at the same moment on another thread (a test running
// in parallel, with kernel-chosen ports) cannot take a planned port.
static __thread unsigned short planned[64];
static __thread int planned_count;
static __thread int planned_next;

void replicasafe_listen_ports_arm(const unsigned short *ports, int count) {
    planned_count = count < 64 ? count : 64;
    memcpy(planned, ports, sizeof(unsigned short) * (size_t)planned_count);
    planned_next = 0;
}

int replicasafe_listen_ports_disarm(void) {
    int used = planned_next;
    planned_count = 0;
    planned_next = 0;
    return used;
}

/// Takes the next planned port of this thread (network byte order), or 0 when its plan is empty.
static unsigned short next_planned_port(void) {
    if (planned_next < planned_count) {
        return htons(planned[planned_next++]);
    }
    return 0;
}

// The interposer: the executable's `bind` wins over libc's for librdkafka's calls.
int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    static int (*real_bind)(int, const struct sockaddr *, socklen_t);
    if (!real_bind) {
        real_bind = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
    }
    if (addr && addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
        if (in->sin_port == 0 && in->sin_addr.s_addr == htonl(INADDR_LOOPBACK)) {
            unsigned short port = next_planned_port();
            if (port != 0) {
                struct sockaddr_in fixed = *in;
                fixed.sin_port = port;
                return real_bind(fd, (const struct sockaddr *)&fixed, sizeof(fixed));
            }
        }
    }
    return real_bind(fd, addr, len);
}
