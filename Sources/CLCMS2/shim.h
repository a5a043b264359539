#ifndef STATUS_CLCMS2_SHIM_H
#define STATUS_CLCMS2_SHIM_H

#include <lcms2.h>

/* Pixel-format and flag macros built from shifts do not import into Swift. */
static inline cmsUInt32Number status_cms_type_rgb_8(void) { return TYPE_RGB_8; }
static inline cmsUInt32Number status_cms_type_cmyk_8(void) { return TYPE_CMYK_8; }
static inline cmsUInt32Number status_cms_type_cmyk_8_rev(void) { return TYPE_CMYK_8_REV; }
static inline cmsUInt32Number status_cms_intent_perceptual(void) { return INTENT_PERCEPTUAL; }
static inline cmsUInt32Number status_cms_flags_nocache(void) { return cmsFLAGS_NOCACHE; }

#endif
