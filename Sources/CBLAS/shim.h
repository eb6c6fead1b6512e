#include <cblas.h>
/* OpenBLAS extension: its own thread pool size. */
void openblas_set_num_threads(int num_threads);
