#ifndef STATUS_CPANGOCAIRO_SHIM_H
#define STATUS_CPANGOCAIRO_SHIM_H

#include <cairo.h>
#include <pango/pangocairo.h>

/* PANGO_SCALE is a macro; Swift sees this function instead. */
static inline int status_pango_scale(void) { return PANGO_SCALE; }

/* g_object_unref takes a gpointer; this keeps the cast in C. */
static inline void status_layout_free(PangoLayout *layout) { g_object_unref(layout); }

#endif
