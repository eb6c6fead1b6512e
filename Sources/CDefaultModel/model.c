// Links the shipped model (default.lstn, next to this file) into every binary, so `listen`
// works from any folder with no model download. `#embed` (C23) is read by the preprocessor,
// so the compiler's dependency file names default.lstn and a build after it changes
// compiles this file again (the assembler's .incbin it replaces was invisible to SwiftPM,
// and a rebuilt binary could carry the previous model).
#define _DEFAULT_SOURCE // madvise
#include "CDefaultModel.h"
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

static const unsigned char model[] = {
#embed "default.lstn"
};

const unsigned char *listen_default_model_bytes(void) { return model; }

size_t listen_default_model_size(void) { return sizeof model; }

// The model's bytes are read once, into the network's weights; after that their pages only
// add to the process's resident memory. They are never written, so the kernel can drop them
// and would read them again from the binary if they were ever touched (MADV_DONTNEED).
void listen_default_model_release(void) {
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = ((uintptr_t)model + page - 1) & ~(page - 1), end = ((uintptr_t)model + sizeof model) & ~(page - 1);
    if (end > start) madvise((void *)start, end - start, MADV_DONTNEED);
}

// The noise `listen enroll` mixes into the takes (scripts/make-enrollment-noise): 16 kHz
// mono 16-bit little-endian samples.
static const unsigned char noise[] = {
#embed "enrollment-noise.s16"
};

const unsigned char *listen_enrollment_noise_bytes(void) { return noise; }

size_t listen_enrollment_noise_size(void) { return sizeof noise; }

// What the built-in model hears for real speech of other speakers, which `listen enroll`
// trains on next to the takes (scripts/make-enrollment-rehearsal.py).
static const unsigned char rehearsal[] = {
#embed "enrollment-rehearsal.bin"
};

const unsigned char *listen_enrollment_rehearsal_bytes(void) { return rehearsal; }

size_t listen_enrollment_rehearsal_size(void) { return sizeof rehearsal; }
