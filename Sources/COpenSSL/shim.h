#include <openssl/ssl.h>
#include <openssl/err.h>

/// SNI: SSL_set_tlsext_host_name is a macro Swift cannot call.
static inline long listen_ssl_set_server_name(SSL *ssl, const char *host) { return SSL_set_tlsext_host_name(ssl, host); }
