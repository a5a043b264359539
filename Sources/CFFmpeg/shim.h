#ifndef STATUS_CFFMPEG_SHIM_H
#define STATUS_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Function-like and compound macros that do not import into Swift. */
static inline int status_averror(int e) { return AVERROR(e); }
static inline int status_averror_eof(void) { return AVERROR_EOF; }
static inline int status_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int64_t status_av_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline AVRational status_av_time_base_q(void) { return AV_TIME_BASE_Q; }

/* Writes FFmpeg's message for an error code into buf (NUL-terminated). */
static inline void status_av_strerror(int errnum, char *buf, size_t size) {
    av_strerror(errnum, buf, size);
}

static inline int status_avseek_size(void) { return AVSEEK_SIZE; }
static inline int status_avfmt_flag_custom_io(void) { return AVFMT_FLAG_CUSTOM_IO; }
static inline int status_av_pkt_flag_key(void) { return AV_PKT_FLAG_KEY; }
static inline int status_av_disposition_attached_pic(void) { return AV_DISPOSITION_ATTACHED_PIC; }
static inline int status_pix_fmt_has_alpha(enum AVPixelFormat f) {
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f);
    return d && (d->flags & AV_PIX_FMT_FLAG_ALPHA);
}

/* FFmpeg's log, captured per thread instead of printed: the last warnings and errors of the
   current operation are folded into the error message. With verbose set they are also printed
   as FFmpeg would. All three functions are used from one Swift file (FFmpegLog.swift), so the
   static state below exists once. */
typedef struct {
    char text[1024];
    size_t length;
} status_av_log_state;

/* Function-local statics: Swift's importer emits them with the function bodies. */
static inline status_av_log_state *status_av_log_this_thread(void) {
    static _Thread_local status_av_log_state state;
    return &state;
}
static inline int *status_av_log_verbose(void) {
    static int verbose;
    return &verbose;
}

static void status_av_log_callback(void *avcl, int level, const char *fmt, va_list vl) {
    if (*status_av_log_verbose()) {
        va_list copy;
        va_copy(copy, vl);
        av_log_default_callback(avcl, level, fmt, copy);
        va_end(copy);
    }
    if (level > AV_LOG_WARNING) return;
    char line[512];
    int print_prefix = 0;
    av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &print_prefix);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ')) line[--n] = 0;
    if (n == 0) return;
    status_av_log_state *state = status_av_log_this_thread();
    size_t room = sizeof state->text - state->length;
    if (room <= 3) return;
    int written = snprintf(state->text + state->length, room, "%s%s", state->length ? "; " : "", line);
    if (written > 0) state->length += (size_t)written < room ? (size_t)written : room - 1;
}

static inline void status_av_log_install(int verbose) {
    *status_av_log_verbose() = verbose;
    av_log_set_callback(status_av_log_callback);
}
static inline void status_av_log_clear(void) {
    status_av_log_state *state = status_av_log_this_thread();
    state->length = 0;
    state->text[0] = 0;
}
static inline const char *status_av_log_text(void) { return status_av_log_this_thread()->text; }

#endif
