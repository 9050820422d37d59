/* QEMU 7.2 user-mode plugin: instructions executed per translated block, written to the file named by the plugin
 * argument (out=FILE) at exit as "start-address instructions" lines, for tests/arm/profile-insns.sh to sum per function.
 * Same API declarations as ../shared/tools/arm/insncount.c (QEMU 7.2, plugin API version 1).
 * Build: gcc -shared -fPIC -O2 -o insnprofile.so insnprofile.c */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <stddef.h>
typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
typedef struct { const char *target_name; struct { int min; int cur; } version; bool system_emulation;
                 union { struct { int smp_vcpus; int max_vcpus; } system; }; } qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*tb_trans_cb)(qemu_plugin_id_t, struct qemu_plugin_tb *);
typedef void (*udata_cb)(qemu_plugin_id_t, void *);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, tb_trans_cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *, enum qemu_plugin_op, void *, uint64_t);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, udata_cb, void *);
__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* One entry per translation (a block translated twice gets two entries; the script adds them up). Entries are never freed:
 * the counters must outlive the translated code that increments them. */
struct block { uint64_t pc, insns, executions; struct block *next; };
static struct block *blocks;
static char out[4096] = "insnprofile.txt";

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    struct block *b = calloc(1, sizeof *b);
    b->pc = qemu_plugin_tb_vaddr(tb);
    b->insns = qemu_plugin_tb_n_insns(tb);
    b->next = blocks; /* translation runs under qemu's lock: no race on the list */
    blocks = b;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->executions, 1);
}

static void at_exit(qemu_plugin_id_t id, void *p) {
    FILE *f = fopen(out, "w");
    if (!f) { perror(out); return; }
    for (struct block *b = blocks; b; b = b->next)
        if (b->executions) fprintf(f, "%llx %llu\n", (unsigned long long)b->pc, (unsigned long long)(b->insns * b->executions));
    fclose(f);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
    for (int i = 0; i < argc; i++)
        if (strncmp(argv[i], "out=", 4) == 0) snprintf(out, sizeof out, "%s", argv[i] + 4);
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
