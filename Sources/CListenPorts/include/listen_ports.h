#ifndef REPLICASAFE_LISTEN_PORTS_H
#define REPLICASAFE_LISTEN_PORTS_H

// Fixed listener ports for librdkafka's mock brokers.
//
// librdkafka 2.0.2's mock cluster binds every broker to 127.0.0.1 port 0 (a kernel-chosen port in the
// ephemeral range) and offers no API to choose. This target interposes `bind`: while a plan is armed, each
// bind of an AF_INET socket to 127.0.0.1:0 takes the next planned port instead. Only kafka-dev (and the
// tests of it) link this target; the api and worker binaries never do.

/// Arms the plan: the next `count` loopback binds to port 0 get `ports[0]`, `ports[1]`, ... (at most 64).
void replicasafe_listen_ports_arm(const unsigned short *ports, int count);

/// Disarms the plan and returns how many planned ports were used.
int replicasafe_listen_ports_disarm(void);

#endif
