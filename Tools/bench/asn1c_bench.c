/*
 * Reference timing for CSAE 53 MessageFrame decoding with Debian's asn1c (0.9.28) runtime.
 * Built at bench time by Tools/bench/asn1c-cv2x.sh together with the C code asn1c generates from
 * the ASN.1 modules; nothing generated is committed.
 *
 * For each frame: decode once to check it (uper_decode_complete must consume the whole frame),
 * then time `iterations` rounds of uper_decode_complete + ASN_STRUCT_FREE, best of `repeats`,
 * and print nanoseconds per frame (wall clock and process CPU time).
 *
 * Usage: asn1c_bench [-n iterations] [-r repeats] [frames-file]
 * The frames file holds one frame per line: hex, optionally preceded by a name and whitespace;
 * blank lines and lines starting with '#' are ignored. Without a file the three example frames of
 * ../shared/reference/README.md are used; with one, they are used first and the file's follow.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "MessageFrame.h"

struct frame {
    char name[64];
    unsigned char *bytes;
    size_t length;
};

static const char *builtin[][2] = {
    {"bsm-mandatory-38B",
     "000229488b498606060634add9094f0816705ca3e205a856c7081fcdf31fe01dc00b91e00280"},
    {"bsm-typical-51B",
     "07e229488b498606060634adc664253c2059c1728f8816940f17706a50ad8e103dfad7f37cc7f8077fe82a59723c0790a40808"},
    {"spat-4-phases-54B",
     "3612ea6014adc028000860e810052b7180826020000014002580408c080000055009601823020000016802580808c08000005f009600"},
};

static int hex_value(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parses hex (whitespace allowed) into a new buffer; returns 0 on success. */
static int parse_hex(const char *text, struct frame *out) {
    size_t digits = 0;
    for (const char *p = text; *p; p++) {
        if (isspace((unsigned char)*p)) continue;
        if (hex_value((unsigned char)*p) < 0) return -1;
        digits++;
    }
    if (digits == 0 || digits % 2 != 0) return -1;
    out->length = digits / 2;
    out->bytes = malloc(out->length);
    if (!out->bytes) return -1;
    size_t i = 0;
    int high = -1;
    for (const char *p = text; *p; p++) {
        if (isspace((unsigned char)*p)) continue;
        int v = hex_value((unsigned char)*p);
        if (high < 0) {
            high = v;
        } else {
            out->bytes[i++] = (unsigned char)(high << 4 | v);
            high = -1;
        }
    }
    return 0;
}

static double now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int add_frame(struct frame **frames, size_t *count, size_t *capacity, const char *name, const char *hex) {
    if (*count == *capacity) {
        *capacity = *capacity ? *capacity * 2 : 8;
        *frames = realloc(*frames, *capacity * sizeof(struct frame));
        if (!*frames) return -1;
    }
    struct frame *f = &(*frames)[*count];
    snprintf(f->name, sizeof f->name, "%s", name);
    if (parse_hex(hex, f) != 0) return -1;
    (*count)++;
    return 0;
}

int main(int argc, char **argv) {
    long iterations = 200000;
    int repeats = 5;
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            iterations = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc) {
            repeats = atoi(argv[++i]);
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: %s [-n iterations] [-r repeats] [frames-file]\n", argv[0]);
            return 2;
        } else {
            file = argv[i];
        }
    }
    if (iterations < 1 || repeats < 1) return 2;

    struct frame *frames = NULL;
    size_t count = 0, capacity = 0;
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
        if (add_frame(&frames, &count, &capacity, builtin[i][0], builtin[i][1]) != 0) return 1;
    }
    if (file) {
        FILE *in = fopen(file, "r");
        if (!in) {
            fprintf(stderr, "asn1c_bench: cannot open %s: %s\n", file, strerror(errno));
            return 1;
        }
        char line[1 << 16];
        int number = 0;
        while (fgets(line, sizeof line, in)) {
            number++;
            char *p = line;
            while (isspace((unsigned char)*p)) p++;
            if (*p == '\0' || *p == '#') continue;
            /* Optional name: a first token followed by whitespace and more text. */
            char name[64];
            snprintf(name, sizeof name, "%s-line%d", file, number);
            char *space = p + strcspn(p, " \t");
            if (*space && *(space + strspn(space, " \t\r\n")) != '\0') {
                size_t n = (size_t)(space - p) < sizeof name - 1 ? (size_t)(space - p) : sizeof name - 1;
                memcpy(name, p, n);
                name[n] = '\0';
                p = space;
            }
            if (add_frame(&frames, &count, &capacity, name, p) != 0) {
                fprintf(stderr, "asn1c_bench: %s:%d: not a hex frame\n", file, number);
                return 1;
            }
        }
        fclose(in);
    }

    printf("# asn1c %s uper_decode_complete + ASN_STRUCT_FREE, %ld iterations, best of %d\n",
           "0.9.28", iterations, repeats);
    printf("%-28s %6s %14s %14s\n", "frame", "bytes", "ns/frame(wall)", "ns/frame(cpu)");
    int failures = 0;
    for (size_t i = 0; i < count; i++) {
        struct frame *f = &frames[i];
        MessageFrame_t *value = NULL;
        asn_dec_rval_t rval = uper_decode_complete(NULL, &asn_DEF_MessageFrame, (void **)&value, f->bytes, f->length);
        if (rval.code != RC_OK) {
            printf("%-28s %6zu %14s %14s   (decode failed: code %d after %zu bytes)\n", f->name, f->length, "-", "-",
                   (int)rval.code, rval.consumed);
            ASN_STRUCT_FREE(asn_DEF_MessageFrame, value);
            failures++;
            continue;
        }
        ASN_STRUCT_FREE(asn_DEF_MessageFrame, value);
        double best_wall = 1e300, best_cpu = 1e300;
        for (int r = 0; r < repeats; r++) {
            double wall0 = now_ns(CLOCK_MONOTONIC), cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
            for (long k = 0; k < iterations; k++) {
                value = NULL;
                rval = uper_decode_complete(NULL, &asn_DEF_MessageFrame, (void **)&value, f->bytes, f->length);
                ASN_STRUCT_FREE(asn_DEF_MessageFrame, value);
            }
            double wall = (now_ns(CLOCK_MONOTONIC) - wall0) / (double)iterations;
            double cpu = (now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / (double)iterations;
            if (wall < best_wall) best_wall = wall;
            if (cpu < best_cpu) best_cpu = cpu;
        }
        printf("%-28s %6zu %14.1f %14.1f\n", f->name, f->length, best_wall, best_cpu);
    }
    for (size_t i = 0; i < count; i++) free(frames[i].bytes);
    free(frames);
    return failures ? 1 : 0;
}
