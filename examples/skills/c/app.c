// todos: count the TODO and FIXME markers in the worktree's text files,
// and say which git the sandbox runs.
//
// A grove skill in C. It targets the `checker` world (wit/world.wit): the
// component imports log, ui, workspace, git and process and nothing else,
// so whatever it is granted it can reach no more than those. The bindings
// (gen/checker.h) come from `wit-bindgen c`; every string the host is
// handed back is malloc'ed, and the bindings free it after the call.

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"

static const char *MARKERS[] = {"TODO", "FIXME"};

// A growing string.
typedef struct {
    char *ptr;
    size_t len, cap;
} buf_t;

static void buf_printf(buf_t *b, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int need = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    if (b->len + need + 1 > b->cap) {
        b->cap = (b->len + need + 1) * 2;
        b->ptr = realloc(b->ptr, b->cap);
        if (!b->ptr) abort();
    }
    va_start(args, fmt);
    vsnprintf(b->ptr + b->len, need + 1, fmt, args);
    va_end(args);
    b->len += need;
}

// JSON text of a string that may hold anything.
static void buf_json_string(buf_t *b, const checker_string_t *s) {
    buf_printf(b, "\"");
    for (size_t i = 0; i < s->len; i++) {
        unsigned char c = s->ptr[i];
        if (c == '"' || c == '\\') buf_printf(b, "\\%c", c);
        else if (c < 0x20) buf_printf(b, "\\u%04x", c);
        else buf_printf(b, "%c", c);
    }
    buf_printf(b, "\"");
}

// Hand a buffer over as a WIT string (the bindings free it).
static checker_string_t buf_take(buf_t *b) {
    checker_string_t s = {(uint8_t *)b->ptr, b->len};
    b->ptr = NULL;
    b->len = b->cap = 0;
    return s;
}

static checker_string_t text(const char *s) {
    checker_string_t r;
    checker_string_dup(&r, s);
    return r;
}

static size_t count_in(const checker_string_t *t, const char *marker) {
    size_t n = 0, m = strlen(marker);
    for (size_t i = 0; i + m <= t->len;) {
        if (memcmp(t->ptr + i, marker, m) == 0) {
            n++;
            i += m;
        } else {
            i++;
        }
    }
    return n;
}

typedef struct {
    checker_string_t *path;
    size_t count;
} counted_t;

static int by_path(const void *a, const void *b) {
    const checker_string_t *x = ((const counted_t *)a)->path, *y = ((const counted_t *)b)->path;
    int c = memcmp(x->ptr, y->ptr, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

// The same record `grove skill pack` wrote from grove.toml; grove reads
// the section and asks `describe` only when there is none.
void exports_checker_describe(checker_skill_info_t *ret) {
    ret->name = text("todos");
    ret->version = text("0.1.0");
    ret->summary = text("Count TODO and FIXME markers in the tree, and show the git the sandbox runs");
    ret->usage = text("grove run todos [GLOB]");
    ret->permissions.len = 2;
    ret->permissions.ptr = malloc(2 * sizeof(checker_string_t));
    ret->permissions.ptr[0] = text("workspace:read");
    ret->permissions.ptr[1] = text("process");
}

bool exports_checker_run(checker_invocation_t *invocation, checker_outcome_t *ret, checker_error_t *err) {
    checker_string_t pattern = invocation->args.len > 0 ? invocation->args.ptr[0] : text("**/*");
    grove_skill_workspace_list_entry_t entries;
    grove_skill_workspace_error_t failed;
    if (!grove_skill_workspace_glob(&pattern, &entries, &failed)) {
        buf_t why = {0};
        buf_printf(&why, "cannot list %.*s: %.*s", (int)pattern.len, pattern.ptr, (int)failed.val.invalid.len,
                   failed.val.invalid.ptr);
        grove_skill_workspace_error_free(&failed);
        err->tag = GROVE_SKILL_TYPES_ERROR_INVALID;
        err->val.invalid = buf_take(&why);
        return false;
    }

    counted_t *counts = calloc(entries.len + 1, sizeof(counted_t));
    size_t files = 0, total = 0;
    for (size_t i = 0; i < entries.len; i++) {
        grove_skill_workspace_entry_t *entry = &entries.ptr[i];
        if (entry->kind != GROVE_SKILL_WORKSPACE_ENTRY_KIND_FILE) continue;
        checker_string_t contents;
        grove_skill_workspace_error_t unreadable;
        if (!grove_skill_workspace_read_text(&entry->path, &contents, &unreadable)) {
            grove_skill_workspace_error_free(&unreadable);  // not UTF-8 text: no markers to count
            continue;
        }
        size_t found = 0;
        for (size_t m = 0; m < sizeof MARKERS / sizeof *MARKERS; m++) found += count_in(&contents, MARKERS[m]);
        checker_string_free(&contents);
        if (found) {
            counts[files].path = &entry->path;
            counts[files].count = found;
            files++;
            total += found;
        }
    }
    qsort(counts, files, sizeof(counted_t), by_path);

    buf_t line = {0};
    buf_printf(&line, "%zu markers in %zu files", total, files);
    checker_string_t message = buf_take(&line);
    grove_skill_log_log(GROVE_SKILL_LOG_LEVEL_INFO, &message);
    checker_string_free(&message);

    grove_skill_process_command_t cmd = {0};
    cmd.program = text("git");
    cmd.args.len = 1;
    cmd.args.ptr = malloc(sizeof(checker_string_t));
    cmd.args.ptr[0] = text("--version");
    cmd.timeout_ms.is_some = true;
    cmd.timeout_ms.val = 10000;
    cmd.output_limit.is_some = true;
    cmd.output_limit.val = 4096;
    grove_skill_process_output_t out;
    bool ran = grove_skill_process_run(&cmd, &out, err);  // a refusal is this run's error as it is
    grove_skill_process_command_free(&cmd);
    if (!ran) {
        free(counts);
        grove_skill_workspace_list_entry_free(&entries);
        grove_skill_types_invocation_free(invocation);
        return false;
    }
    size_t git_len = out.stdout_.len;
    while (git_len > 0 && (out.stdout_.ptr[git_len - 1] == '\n' || out.stdout_.ptr[git_len - 1] == '\r')) git_len--;
    checker_string_t git = {out.stdout_.ptr, git_len};

    buf_t summary = {0}, report = {0}, data = {0};
    buf_printf(&summary, "%zu TODO/FIXME in %zu %s; %.*s", total, files, files == 1 ? "file" : "files",
               (int)git.len, git.ptr);
    buf_printf(&data, "{\"total\":%zu,\"files\":{", total);
    for (size_t i = 0; i < files; i++) {
        buf_printf(&report, "%s- %.*s: %zu", i ? "\n" : "", (int)counts[i].path->len, counts[i].path->ptr,
                   counts[i].count);
        buf_printf(&data, "%s", i ? "," : "");
        buf_json_string(&data, counts[i].path);
        buf_printf(&data, ":%zu", counts[i].count);
    }
    buf_printf(&data, "},\"git\":");
    buf_json_string(&data, &git);
    buf_printf(&data, "}");

    ret->summary = buf_take(&summary);
    ret->report.is_some = files > 0;
    if (files > 0) ret->report.val = buf_take(&report);
    ret->data.is_some = invocation->json;
    if (invocation->json) ret->data.val = buf_take(&data);
    ret->success = true;

    free(report.ptr);
    free(data.ptr);
    free(counts);
    grove_skill_process_output_free(&out);
    grove_skill_workspace_list_entry_free(&entries);
    if (invocation->args.len == 0) checker_string_free(&pattern);
    grove_skill_types_invocation_free(invocation);
    return true;
}
