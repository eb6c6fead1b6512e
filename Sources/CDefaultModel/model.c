#include "CDefaultModel.h"

extern const unsigned char listen_default_model_start[];
extern const unsigned char listen_default_model_end[];

const unsigned char *listen_default_model_bytes(void) { return listen_default_model_start; }

size_t listen_default_model_size(void) { return (size_t)(listen_default_model_end - listen_default_model_start); }
