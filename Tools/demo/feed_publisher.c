/*
 * feed_publisher: a stand-in gateway for `make run` (Tools/run-demo.sh). Binds a PUB socket and
 * publishes TestZone-shaped multipart messages (DESIGN.md section 3) for a number of seconds:
 *   frame 0 topic   "cv2x/RSU-000N" (10 roadside units, 100 BSM-sized frames per second each)
 *                   "jt808/0139000000NN" (20 test vehicles, 1 location report per second each)
 *   frame 1 payload filler bytes of realistic size (60 and 120 bytes): this is traffic for
 *                   watching rates with `testzone tap`, not decodable C-V2X or JT/T 808 data
 *   frame 2 time    8 bytes, big-endian microseconds since the Unix epoch
 *
 * usage: feed_publisher ENDPOINT SECONDS [SCALE]
 *   SCALE multiplies the rate (default 1: 1,020 messages per second).
 * Build: cc -O2 -o feed_publisher feed_publisher.c -lzmq
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static uint64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int publish(void *pub, const char *topic, const uint8_t *payload, size_t size) {
    uint8_t stamp[8];
    uint64_t t = now_us();
    for (int i = 7; i >= 0; i--) { stamp[i] = (uint8_t)t; t >>= 8; }
    if (zmq_send(pub, topic, strlen(topic), ZMQ_SNDMORE) < 0) return -1;
    if (zmq_send(pub, payload, size, ZMQ_SNDMORE) < 0) return -1;
    return zmq_send(pub, stamp, sizeof stamp, 0) < 0 ? -1 : 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s ENDPOINT SECONDS [SCALE]\n", argv[0]);
        return 2;
    }
    const char *endpoint = argv[1];
    double seconds = atof(argv[2]);
    int scale = argc > 3 ? atoi(argv[3]) : 1;
    if (scale < 1) scale = 1;

    void *context = zmq_ctx_new();
    void *pub = zmq_socket(context, ZMQ_PUB);
    int linger = 0;
    zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(pub, endpoint) != 0) {
        fprintf(stderr, "feed_publisher: zmq_bind %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        return 1;
    }

    uint8_t bsm[60], report[120];
    for (size_t i = 0; i < sizeof bsm; i++) bsm[i] = (uint8_t)(i * 7);
    for (size_t i = 0; i < sizeof report; i++) report[i] = (uint8_t)(0x7E ^ i);
    char topic[64];
    uint64_t start = now_us(), sent = 0;
    /* Ticks of 10 ms: each RSU sends one frame per tick, each vehicle one report per 100 ticks. */
    for (uint64_t tick = 0; (double)tick * 0.01 < seconds; tick++) {
        for (int copy = 0; copy < scale; copy++) {
            for (int rsu = 1; rsu <= 10; rsu++) {
                snprintf(topic, sizeof topic, "cv2x/RSU-%04d", rsu);
                if (publish(pub, topic, bsm, sizeof bsm) == 0) sent++;
            }
            if (tick % 100 == 0) {
                for (int vehicle = 1; vehicle <= 20; vehicle++) {
                    snprintf(topic, sizeof topic, "jt808/01390000%04d", vehicle);
                    if (publish(pub, topic, report, sizeof report) == 0) sent++;
                }
            }
        }
        uint64_t due = start + (tick + 1) * 10000u, current = now_us();
        if (due > current) {
            struct timespec pause = {(time_t)((due - current) / 1000000u), (long)((due - current) % 1000000u) * 1000};
            nanosleep(&pause, NULL);
        }
    }
    fprintf(stderr, "feed_publisher: published %llu messages in %.1f s on %s\n", (unsigned long long)sent,
            (double)(now_us() - start) / 1e6, endpoint);
    zmq_close(pub);
    zmq_ctx_term(context);
    return 0;
}
