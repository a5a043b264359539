#ifndef STATUS_CPNG_SHIM_H
#define STATUS_CPNG_SHIM_H

#include <png.h>

/* The simplified png_image API is used; these macros do not import into Swift. */
static inline png_uint_32 status_png_image_version(void) { return PNG_IMAGE_VERSION; }
static inline png_uint_32 status_png_format_rgb(void) { return PNG_FORMAT_RGB; }
static inline png_uint_32 status_png_format_rgba(void) { return PNG_FORMAT_RGBA; }
static inline png_uint_32 status_png_image_warning(void) { return PNG_IMAGE_WARNING; }
static inline png_uint_32 status_png_image_error(void) { return PNG_IMAGE_ERROR; }
static inline png_uint_32 status_png_format_channels(png_uint_32 format) {
    return PNG_IMAGE_SAMPLE_CHANNELS(format);
}

#endif
