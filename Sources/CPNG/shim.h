#ifndef STATUS_CPNG_SHIM_H
#define STATUS_CPNG_SHIM_H

#include <png.h>
#include <zlib.h>
#include <stdlib.h>

/* The simplified png_image API is used; these macros do not import into Swift. */
static inline png_uint_32 status_png_image_version(void) { return PNG_IMAGE_VERSION; }
static inline png_uint_32 status_png_format_rgb(void) { return PNG_FORMAT_RGB; }
static inline png_uint_32 status_png_format_rgba(void) { return PNG_FORMAT_RGBA; }
static inline png_uint_32 status_png_image_warning(void) { return PNG_IMAGE_WARNING; }
static inline png_uint_32 status_png_image_error(void) { return PNG_IMAGE_ERROR; }
static inline png_uint_32 status_png_format_channels(png_uint_32 format) {
    return PNG_IMAGE_SAMPLE_CHANNELS(format);
}

/* Inflates a zlib stream (an iCCP profile) into dst, never writing more than dst_capacity
   bytes. Returns the inflated size, or -1 when the data is damaged or does not fit. */
static inline long status_inflate_bounded(const unsigned char *src, size_t src_len,
                                          unsigned char *dst, size_t dst_capacity) {
    z_stream zs = {0};
    if (inflateInit(&zs) != Z_OK) return -1;
    zs.next_in = (unsigned char *)src;
    zs.avail_in = (uInt)src_len;
    zs.next_out = dst;
    zs.avail_out = (uInt)dst_capacity;
    int rc = inflate(&zs, Z_FINISH);
    long produced = (long)zs.total_out;
    inflateEnd(&zs);
    return rc == Z_STREAM_END ? produced : -1;
}

#endif
