#ifndef LISTEN_DEFAULT_MODEL_H
#define LISTEN_DEFAULT_MODEL_H
#include <stddef.h>

/// The bytes of default.lstn, compiled into the binary by model.c.
const unsigned char *listen_default_model_bytes(void);
/// Their count.
size_t listen_default_model_size(void);
/// Lets the kernel drop the resident pages of those bytes once they have been read.
void listen_default_model_release(void);
/// The noise enrolment mixes into the takes: 16 kHz mono 16-bit little-endian samples.
const unsigned char *listen_enrollment_noise_bytes(void);
/// Their count, in bytes.
size_t listen_enrollment_noise_size(void);
/// The rehearsal set of enrolment: the built-in model's frames of other speakers' speech.
const unsigned char *listen_enrollment_rehearsal_bytes(void);
/// Their count, in bytes.
size_t listen_enrollment_rehearsal_size(void);

#endif
