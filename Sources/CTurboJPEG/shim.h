#ifndef STATUS_CTURBOJPEG_SHIM_H
#define STATUS_CTURBOJPEG_SHIM_H

#include <stddef.h>
#include <turbojpeg.h>

/// TJSCALED is a macro; Swift sees this function instead.
static inline int status_tj_scaled(int dimension, tjscalingfactor factor) {
    return TJSCALED(dimension, factor);
}

#endif
