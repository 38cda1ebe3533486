/*
 * ingest_feed: the sender and the raw reference of Tools/bench/ingest.sh.
 *
 *   ingest_feed push ENDPOINT FRAMES SECONDS   connect a PUSH socket and send the frames of FRAMES
 *                                              (see ingest_frames.py) in a loop for SECONDS, as
 *                                              3-part messages (topic, payload, 8-byte BE time);
 *                                              prints "sent N frames in S s: R frames/s".
 *                                              Loop k carries the gateway times shifted by k
 *                                              times the recording's span rounded up to whole
 *                                              minutes: a continuous feed, as if the drive went
 *                                              on (payloads repeat; JT/T 808 times inside them
 *                                              too, so those fixes arrive late from loop 2 on).
 *   ingest_feed handshakes ENDPOINT KEYS       open one PUSH socket per key pair of the KEYS file (lines
 *                                              "public secret", Z85), each sends one message, then
 *                                              waits until all are delivered; prints the time
 *                                              (with CURVE_SERVER_KEY: CURVE handshakes; without:
 *                                              plain connections, the reference).
 *   ingest_feed keys N KEYS TOML               make N CURVE key pairs: KEYS as above, TOML the zone's
 *                                              [[sources]] entries (topics cv2x/ and jt808/).
 *   ingest_feed pull ENDPOINT                  bind a PULL socket, receive until 2 s of silence
 *                                              after the first message (zmq_msg_recv into reused
 *                                              zmq_msg_t, parts read in place); prints the count
 *                                              and the rate between the first and last message.
 * CURVE (Tools/bench/curve.sh): with CURVE_SERVER_KEY, CURVE_PUBLIC_KEY and CURVE_SECRET_KEY (Z85)
 * in the environment, push is a CURVE client; with CURVE_SERVER_SECRET, pull is a CURVE server.
 * Build: cc -O2 -o ingest_feed ingest_feed.c -lzmq
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(const char *what) {
    fprintf(stderr, "ingest_feed: %s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

/* Makes `socket` a CURVE client when CURVE_SERVER_KEY is set (keys from the environment unless
 * given). */
static void curve_client(void *socket, const char *public_key, const char *secret_key) {
    const char *server = getenv("CURVE_SERVER_KEY");
    if (!server) return;
    if (!public_key) public_key = getenv("CURVE_PUBLIC_KEY");
    if (!secret_key) secret_key = getenv("CURVE_SECRET_KEY");
    if (!public_key || !secret_key) { fprintf(stderr, "ingest_feed: CURVE_PUBLIC_KEY/CURVE_SECRET_KEY missing\n"); exit(2); }
    if (zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, server, 40) != 0) fail("ZMQ_CURVE_SERVERKEY");
    if (zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, public_key, 40) != 0) fail("ZMQ_CURVE_PUBLICKEY");
    if (zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, secret_key, 40) != 0) fail("ZMQ_CURVE_SECRETKEY");
}

struct frame {
    const unsigned char *topic, *payload;
    uint16_t topic_length;
    uint32_t payload_length;
    uint64_t micros;
};

static int push(const char *endpoint, const char *path, double seconds) {
    FILE *file = fopen(path, "rb");
    if (!file) { perror(path); return 1; }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    unsigned char *bytes = malloc(size);
    if (fread(bytes, 1, size, file) != (size_t)size) { perror("read"); return 1; }
    fclose(file);
    long capacity = 1024, count = 0;
    struct frame *frames = malloc(capacity * sizeof *frames);
    for (long offset = 0; offset + 14 <= size;) {
        if (count == capacity) frames = realloc(frames, (capacity *= 2) * sizeof *frames);
        struct frame *f = &frames[count++];
        memcpy(&f->topic_length, bytes + offset, 2); offset += 2;
        f->topic = bytes + offset; offset += f->topic_length;
        memcpy(&f->payload_length, bytes + offset, 4); offset += 4;
        f->payload = bytes + offset; offset += f->payload_length;
        memcpy(&f->micros, bytes + offset, 8); offset += 8;
    }
    uint64_t first = UINT64_MAX, last = 0;
    for (long i = 0; i < count; i++) {
        if (frames[i].micros < first) first = frames[i].micros;
        if (frames[i].micros > last) last = frames[i].micros;
    }
    uint64_t minute = 60000000, shift = count > 0 ? ((last - first) / minute + 1) * minute : 0;
    void *context = zmq_ctx_new();
    void *socket = zmq_socket(context, ZMQ_PUSH);
    int linger = -1;
    zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
    curve_client(socket, NULL, NULL);
    if (zmq_connect(socket, endpoint) != 0) fail("connect");
    long sent = 0;
    double start = now(), end = start + seconds;
    for (uint64_t loop = 0; now() < end; loop++) {
        for (long i = 0; i < count; i++) {
            struct frame *f = &frames[i];
            uint64_t micros = f->micros + loop * shift;
            unsigned char time[8];
            for (int b = 0; b < 8; b++) time[b] = (unsigned char)(micros >> (56 - 8 * b));
            if (zmq_send(socket, f->topic, f->topic_length, ZMQ_SNDMORE) < 0) fail("send");
            if (zmq_send(socket, f->payload, f->payload_length, ZMQ_SNDMORE) < 0) fail("send");
            if (zmq_send(socket, time, 8, 0) < 0) fail("send");
        }
        sent += count;
    }
    double elapsed = now() - start;
    zmq_close(socket);
    zmq_ctx_term(context);  /* waits until every frame is delivered (linger -1) */
    double delivered = now() - start;
    printf("sent %ld frames (%ld per loop) in %.2f s: %.0f frames/s (all delivered after %.2f s: %.0f frames/s)\n",
           sent, count, elapsed, sent / elapsed, delivered, sent / delivered);
    return 0;
}

static int pull(const char *endpoint) {
    void *context = zmq_ctx_new();
    void *socket = zmq_socket(context, ZMQ_PULL);
    const char *server_secret = getenv("CURVE_SERVER_SECRET");
    if (server_secret) {
        int on = 1;
        if (zmq_setsockopt(socket, ZMQ_CURVE_SERVER, &on, sizeof on) != 0) fail("ZMQ_CURVE_SERVER");
        if (zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, server_secret, 40) != 0) fail("ZMQ_CURVE_SECRETKEY");
    }
    if (zmq_bind(socket, endpoint) != 0) fail("bind");
    int timeout = 2000;
    zmq_setsockopt(socket, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_msg_t part;
    zmq_msg_init(&part);
    long messages = 0, bytes = 0;
    double first = 0, last = 0;
    for (;;) {
        if (zmq_msg_recv(&part, socket, 0) < 0) {
            if (messages > 0) break;
            continue;
        }
        if (messages == 0) first = now();
        bytes += zmq_msg_size(&part);
        while (zmq_msg_more(&part)) {
            if (zmq_msg_recv(&part, socket, 0) < 0) fail("recv");
            bytes += zmq_msg_size(&part);
        }
        messages++;
        last = now();
    }
    printf("received %ld frames (%ld bytes) in %.2f s: %.0f frames/s\n", messages, bytes, last - first,
           messages / (last - first));
    zmq_msg_close(&part);
    zmq_close(socket);
    zmq_ctx_term(context);
    return 0;
}

static int handshakes(const char *endpoint, const char *path) {
    FILE *file = fopen(path, "r");
    if (!file) { perror(path); return 1; }
    char public_key[41], secret_key[41];
    void *context = zmq_ctx_new();
    zmq_ctx_set(context, ZMQ_MAX_SOCKETS, 8192);
    void **sockets = malloc(sizeof(void *) * 100000);
    long count = 0;
    double start = now();
    while (count < 100000 && fscanf(file, "%40s %40s", public_key, secret_key) == 2) {
        void *socket = zmq_socket(context, ZMQ_PUSH);
        if (!socket) fail("socket");
        int linger = -1;
        zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
        curve_client(socket, public_key, secret_key);
        if (zmq_connect(socket, endpoint) != 0) fail("connect");
        const char topic[] = "jt808/000000000000";
        if (zmq_send(socket, topic, sizeof topic - 1, ZMQ_SNDMORE) < 0) fail("send");
        if (zmq_send(socket, "x", 1, 0) < 0) fail("send");
        sockets[count++] = socket;
    }
    fclose(file);
    for (long i = 0; i < count; i++) zmq_close(sockets[i]);
    zmq_ctx_term(context); /* every message delivered (linger -1): every handshake done */
    double elapsed = now() - start;
    printf("%ld connections (%s), one message each, all delivered in %.3f s: %.0f us per connection\n", count,
           getenv("CURVE_SERVER_KEY") ? "CURVE" : "plain", elapsed, elapsed * 1e6 / count);
    free(sockets);
    return 0;
}

static int keys(long n, const char *keys_path, const char *toml_path) {
    FILE *keys_file = fopen(keys_path, "w"), *toml = fopen(toml_path, "w");
    if (!keys_file || !toml) { perror("keys"); return 1; }
    char public_key[41], secret_key[41];
    for (long i = 0; i < n; i++) {
        if (zmq_curve_keypair(public_key, secret_key) != 0) fail("zmq_curve_keypair");
        fprintf(keys_file, "%s %s\n", public_key, secret_key);
        fprintf(toml, "\n[[sources]]\nname = \"gateway-%05ld\"\npublic_key = \"", i);
        for (const char *c = public_key; *c; c++) {
            if (*c == '"' || *c == '\\') fputc('\\', toml);
            fputc(*c, toml);
        }
        fprintf(toml, "\"\ntopics = [\"cv2x/\", \"jt808/\"]\n");
    }
    fclose(keys_file);
    fclose(toml);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "handshakes") == 0) return handshakes(argv[2], argv[3]);
    if (argc == 5 && strcmp(argv[1], "keys") == 0) return keys(atol(argv[2]), argv[3], argv[4]);
    if (argc == 5 && strcmp(argv[1], "push") == 0) return push(argv[2], argv[3], atof(argv[4]));
    if (argc == 3 && strcmp(argv[1], "pull") == 0) return pull(argv[2]);
    fprintf(stderr,
            "usage: ingest_feed push ENDPOINT FRAMES SECONDS | pull ENDPOINT | handshakes ENDPOINT KEYS |"
            " keys N KEYS TOML\n");
    return 2;
}
