#ifndef LISTEN_DEFAULT_MODEL_H
#define LISTEN_DEFAULT_MODEL_H
#include <stddef.h>

/// The bytes of default.lstn, compiled into the binary by model.c.
const unsigned char *listen_default_model_bytes(void);
/// Their count.
size_t listen_default_model_size(void);

#endif
