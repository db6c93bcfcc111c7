// librdkafka's public API and its built-in mock cluster (Debian librdkafka-dev 2.0.2).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
