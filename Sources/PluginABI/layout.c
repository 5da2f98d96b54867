/*
 * Compile-time checks of the plugin ABI's layout on LP64 platforms (x86_64, aarch64).
 * A change that moves any field or slot fails the build here before it can break a plugin.
 */
#include "stepca_plugin.h"

#if defined(__LP64__)
#define CHECK_OFFSET(type, field, value) \
    _Static_assert(offsetof(type, field) == (value), #type "." #field " moved")
#define CHECK_SIZE(type, value) _Static_assert(sizeof(type) == (value), #type " changed size")

CHECK_SIZE(stepca_errbuf, 24);

CHECK_OFFSET(stepca_host_v1, abi_major, 4);
CHECK_OFFSET(stepca_host_v1, ctx, 8);
CHECK_OFFSET(stepca_host_v1, log, 16);
CHECK_SIZE(stepca_host_v1, 24);

CHECK_OFFSET(stepca_plugin_v1, abi_major, 4);
CHECK_OFFSET(stepca_plugin_v1, abi_minor, 6);
CHECK_OFFSET(stepca_plugin_v1, kind, 8);
CHECK_OFFSET(stepca_plugin_v1, flags, 12);
CHECK_OFFSET(stepca_plugin_v1, name, 16);
CHECK_OFFSET(stepca_plugin_v1, version, 24);
CHECK_OFFSET(stepca_plugin_v1, description, 32);
CHECK_OFFSET(stepca_plugin_v1, types, 40);
CHECK_OFFSET(stepca_plugin_v1, table, 48);
CHECK_SIZE(stepca_plugin_v1, 56);

CHECK_OFFSET(stepca_db_op, status, 12);
CHECK_OFFSET(stepca_db_op, table, 16);
CHECK_OFFSET(stepca_db_op, key, 32);
CHECK_OFFSET(stepca_db_op, value, 48);
CHECK_OFFSET(stepca_db_op, old_value, 64);
CHECK_OFFSET(stepca_db_op, swapped, 80);
CHECK_SIZE(stepca_db_op, 88);

CHECK_OFFSET(stepca_db_v1, open, 8);
CHECK_OFFSET(stepca_db_v1, close, 16);
CHECK_OFFSET(stepca_db_v1, create_table, 24);
CHECK_OFFSET(stepca_db_v1, delete_table, 32);
CHECK_OFFSET(stepca_db_v1, get, 40);
CHECK_OFFSET(stepca_db_v1, set, 48);
CHECK_OFFSET(stepca_db_v1, del, 56);
CHECK_OFFSET(stepca_db_v1, list, 64);
CHECK_OFFSET(stepca_db_v1, cas, 72);
CHECK_OFFSET(stepca_db_v1, update, 80);
CHECK_SIZE(stepca_db_v1, 88);

CHECK_OFFSET(stepca_kms_key_request, name, 16);
CHECK_OFFSET(stepca_kms_key_request, name_len, 24);
CHECK_OFFSET(stepca_kms_key_request, sig_alg, 32);
CHECK_SIZE(stepca_kms_key_request, 40);

CHECK_OFFSET(stepca_kms_v1, open, 8);
CHECK_OFFSET(stepca_kms_v1, close, 16);
CHECK_OFFSET(stepca_kms_v1, get_public_key, 24);
CHECK_OFFSET(stepca_kms_v1, sign, 32);
CHECK_OFFSET(stepca_kms_v1, create_key, 40);
CHECK_OFFSET(stepca_kms_v1, delete_key, 48);
CHECK_OFFSET(stepca_kms_v1, load_certificate, 56);
CHECK_OFFSET(stepca_kms_v1, store_certificate, 64);
CHECK_OFFSET(stepca_kms_v1, decrypt, 72);
CHECK_OFFSET(stepca_kms_v1, attest, 80);
CHECK_OFFSET(stepca_kms_v1, sign_async, 88);
CHECK_SIZE(stepca_kms_v1, 96);
#endif

/** The ABI version this copy of the header describes, for tools that inspect a build. */
const char stepca_abi_version_string[] = "stepca plugin ABI 1.0";
