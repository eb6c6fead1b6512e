// Links the shipped model (default.lstn, next to this file) into every binary, so `listen`
// works from any folder with no model download. After replacing default.lstn, touch this
// file: SwiftPM does not know that the assembler reads it.
    .section .rodata
    .balign 16
    .global listen_default_model_start
listen_default_model_start:
    .incbin "default.lstn"
    .global listen_default_model_end
listen_default_model_end:
    .section .note.GNU-stack,"",@progbits
