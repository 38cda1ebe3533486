/*
 * zmq_throughput: the C reference for Benchmarks/ZeroMQBenchmarks. PUSH/PULL throughput of
 * fixed-size messages with libzmq used directly, over tcp loopback and inproc, measured the same
 * way as the Swift benchmark:
 *   - a PULL socket binds (tcp://127.0.0.1:* or a unique inproc name); a sender thread owns a
 *     PUSH socket that connects and sends one warm-up message, which is received;
 *   - the clock starts, the sender is told to send COUNT messages (plain zmq_send from one
 *     buffer), the receiver receives them into one reused zmq_msg_t (zmq_msg_recv) and the clock
 *     stops after the last one.
 * Each transport runs RUNS times; one line per transport gives the median and best run and then
 * every run's rate:
 *   tcp median 2312345 best 2401234 msg/s (5 runs of 1000000 x 60 B) runs: 2312345 2401234 ...
 *
 * usage: zmq_throughput [COUNT [SIZE [RUNS]]]   (defaults 1000000 60 5)
 * Build: cc -O2 -pthread -o zmq_throughput zmq_throughput.c -lzmq
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

struct sender {
    void *context;
    char endpoint[256];
    size_t size;
    long count;
    sem_t ready, go;
};

static void fail(const char *what) {
    fprintf(stderr, "zmq_throughput: %s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

static void *send_messages(void *argument) {
    struct sender *sender = argument;
    void *push = zmq_socket(sender->context, ZMQ_PUSH);
    if (!push || zmq_connect(push, sender->endpoint) != 0) fail("zmq_connect");
    char *payload = malloc(sender->size);
    memset(payload, 0x5A, sender->size);
    if (zmq_send(push, payload, sender->size, 0) < 0) fail("zmq_send (warm-up)");
    sem_post(&sender->ready);
    sem_wait(&sender->go);
    for (long i = 0; i < sender->count; i++) {
        if (zmq_send(push, payload, sender->size, 0) < 0) fail("zmq_send");
    }
    free(payload);
    zmq_close(push);
    return NULL;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One run: returns messages per second. */
static double run(const char *transport, long count, size_t size, int index) {
    void *context = zmq_ctx_new();
    void *pull = zmq_socket(context, ZMQ_PULL);
    struct sender sender = {.context = context, .size = size, .count = count};
    char bind_endpoint[256];
    if (strcmp(transport, "tcp") == 0) {
        snprintf(bind_endpoint, sizeof bind_endpoint, "tcp://127.0.0.1:*");
    } else {
        snprintf(bind_endpoint, sizeof bind_endpoint, "inproc://throughput-%d", index);
    }
    if (zmq_bind(pull, bind_endpoint) != 0) fail("zmq_bind");
    size_t length = sizeof sender.endpoint;
    if (zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, sender.endpoint, &length) != 0) fail("ZMQ_LAST_ENDPOINT");
    sem_init(&sender.ready, 0, 0);
    sem_init(&sender.go, 0, 0);

    pthread_t thread;
    pthread_create(&thread, NULL, send_messages, &sender);
    zmq_msg_t message;
    zmq_msg_init(&message);
    if (zmq_msg_recv(&message, pull, 0) < 0) fail("zmq_msg_recv (warm-up)");
    sem_wait(&sender.ready);

    double start = now_seconds();
    sem_post(&sender.go);
    size_t bytes = 0;
    for (long i = 0; i < count; i++) {
        if (zmq_msg_recv(&message, pull, 0) < 0) fail("zmq_msg_recv");
        bytes += zmq_msg_size(&message);
    }
    double elapsed = now_seconds() - start;
    if (bytes != (size_t)count * size) fprintf(stderr, "zmq_throughput: byte count mismatch\n");

    pthread_join(thread, NULL);
    zmq_msg_close(&message);
    zmq_close(pull);
    zmq_ctx_term(context);
    sem_destroy(&sender.ready);
    sem_destroy(&sender.go);
    return (double)count / elapsed;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    long count = argc > 1 ? atol(argv[1]) : 1000000;
    size_t size = argc > 2 ? (size_t)atol(argv[2]) : 60;
    int runs = argc > 3 ? atoi(argv[3]) : 5;
    if (count < 1 || runs < 1 || runs > 100) {
        fprintf(stderr, "usage: %s [COUNT [SIZE [RUNS]]]\n", argv[0]);
        return 2;
    }
    const char *transports[] = {"tcp", "inproc"};
    for (int t = 0; t < 2; t++) {
        double rates[100];
        for (int r = 0; r < runs; r++) rates[r] = run(transports[t], count, size, r);
        double sorted[100];
        memcpy(sorted, rates, sizeof rates[0] * (size_t)runs);
        qsort(sorted, (size_t)runs, sizeof sorted[0], compare);
        printf("%s median %.0f best %.0f msg/s (%d runs of %ld x %zu B) runs:", transports[t], sorted[runs / 2],
               sorted[runs - 1], runs, count, size);
        for (int r = 0; r < runs; r++) printf(" %.0f", rates[r]);
        printf("\n");
        fflush(stdout);
    }
    return 0;
}
