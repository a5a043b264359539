#ifndef STATUS_CFFMPEG_SHIM_H
#define STATUS_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/display.h>
#include <libswscale/swscale.h>

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

#endif
