/* The PKCS#11 v2.40 types from p11-kit's free header (libp11-kit-dev). Only the header is used:
 * the plugin links no PKCS#11 library and dlopen()s the module named in its configuration. */
#include <p11-kit-1/p11-kit/pkcs11.h>
