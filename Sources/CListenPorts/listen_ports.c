#define _GNU_SOURCE
#include "listen_ports.h"

#include <dlfcn.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>

static pthread_mutex_t plan_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned short planned[64];
static int planned_count;
static int planned_next;

void replicasafe_listen_ports_arm(const unsigned short *ports, int count) {
    pthread_mutex_lock(&plan_lock);
    planned_count = count < 64 ? count : 64;
    memcpy(planned, ports, sizeof(unsigned short) * (size_t)planned_count);
    planned_next = 0;
    pthread_mutex_unlock(&plan_lock);
}

int replicasafe_listen_ports_disarm(void) {
    pthread_mutex_lock(&plan_lock);
    int used = planned_next;
    planned_count = 0;
    planned_next = 0;
    pthread_mutex_unlock(&plan_lock);
    return used;
}

/// Takes the next planned port (network byte order), or 0 when the plan is empty.
static unsigned short next_planned_port(void) {
    unsigned short port = 0;
    pthread_mutex_lock(&plan_lock);
    if (planned_next < planned_count) {
        port = htons(planned[planned_next++]);
    }
    pthread_mutex_unlock(&plan_lock);
    return port;
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
