/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* credentials.c: names, contents, precedence, the checks that end a login, the unit lines. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "credentials.h"
#include "creds.h"
#include "util.h"

static char dir[] = "/tmp/sd-iscsi-test-creds.XXXXXX";

static void put(const char *name, const char *data, size_t size) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof path, "%s/%s", dir, name);
        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(data, 1, size, f), size);
        fclose(f);
}
#define PUT(name, lit) put((name), (lit), sizeof(lit) - 1)

static void setup(void) {
        ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
        char cmd[600];

        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        ck_assert_int_eq(system(cmd), 0);
        strcpy(dir, "/tmp/sd-iscsi-test-creds.XXXXXX");
}

static Session session(const char *id, const char *user, const char *password) {
        Session s = { .nic = -1 };

        strcpy(s.id, id);
        s.chap.username = user ? strdup(user) : NULL;
        s.chap.password = password ? strdup(password) : NULL;
        s.chap.has_password = password != NULL;
        return s;
}

START_TEST(test_names) {
        char buf[CREDENTIAL_NAME_MAX];

        ck_assert_int_eq(credential_name(NULL, CREDENTIAL_PASSWORD, buf, sizeof buf), 0);
        ck_assert_str_eq(buf, "sd-iscsi.chap.password");
        ck_assert_int_eq(credential_name("ibft-1", CREDENTIAL_IN_USERNAME, buf, sizeof buf), 0);
        ck_assert_str_eq(buf, "sd-iscsi.ibft-1.chap.in_username");
        ck_assert_int_eq(credential_name("dhcp", CREDENTIAL_IN_PASSWORD, buf, sizeof buf), 0);
        ck_assert_str_eq(buf, "sd-iscsi.dhcp.chap.in_password");
        ck_assert_int_eq(credential_name("cmdline-0", CREDENTIAL_USERNAME, buf, 10), -ENAMETOOLONG);
        ck_assert_int_eq(credential_name("a:b", CREDENTIAL_USERNAME, buf, sizeof buf), -EINVAL);
        ck_assert_int_eq(credential_name("a/b", CREDENTIAL_USERNAME, buf, sizeof buf), -EINVAL);
        ck_assert_int_eq(credential_name("x", _CREDENTIAL_FIELD_MAX, buf, sizeof buf), -EINVAL);

        ck_assert(credential_name_valid("sd-iscsi.chap.password"));
        ck_assert(!credential_name_valid(""));
        ck_assert(!credential_name_valid(NULL));
        ck_assert(!credential_name_valid(".."));
        ck_assert(!credential_name_valid("iqn.2009-06.dracut:t"));      /* systemd refuses ':' */
        ck_assert(!credential_name_valid("a b"));
        ck_assert(!credential_name_valid("a\xff"));
}
END_TEST

START_TEST(test_values) {
        const char *why = NULL;
        char huge[300];

        ck_assert_int_eq(credential_value_check("secret", 6, &why), 6);
        ck_assert_int_eq(credential_value_check("secret\n", 7, &why), 6);
        ck_assert_int_eq(credential_value_check("secret\r\n", 8, &why), 6);
        ck_assert_int_eq(credential_value_check("s\xff\xfe", 3, &why), 3);      /* octets, not UTF-8 */
        ck_assert_int_eq(credential_value_check("", 0, &why), -EINVAL);
        ck_assert_str_eq(why, "it is empty");
        ck_assert_int_eq(credential_value_check("\n", 1, &why), -EINVAL);
        ck_assert_int_eq(credential_value_check("a\0b", 3, &why), -EINVAL);
        ck_assert_str_eq(why, "it contains a NUL byte");
        ck_assert_int_eq(credential_value_check("a\nb", 3, &why), -EINVAL);
        ck_assert_int_eq(credential_value_check("a\n\n", 3, &why), -EINVAL);
        ck_assert_int_eq(credential_value_check("a\x7f", 2, &why), -EINVAL);
        memset(huge, 'x', sizeof huge);
        ck_assert_int_eq(credential_value_check(huge, 256, &why), 256);
        ck_assert_int_eq(credential_value_check(huge, 257, &why), -EINVAL);
        ck_assert_str_eq(why, "it is longer than 256 bytes");
        ck_assert_int_eq(credential_value_check(huge, 1, NULL), 1);
}
END_TEST

START_TEST(test_read) {
        _cleanup_free_ char *v = NULL;
        const char *why = NULL;
        char big[100000];

        PUT("ok", "pw\n");
        ck_assert_int_eq(credential_read(dir, "ok", &v, &why), 0);
        ck_assert_str_eq(v, "pw");
        erase_and_free(TAKE_PTR(v));
        ck_assert_int_eq(credential_read(dir, "absent", &v, &why), -ENOENT);
        ck_assert_ptr_null(v);
        ck_assert_int_eq(credential_read(NULL, "ok", &v, &why), -ENOENT);
        ck_assert_int_eq(credential_read(dir, "../ok", &v, &why), -ENOENT);
        memset(big, 'x', sizeof big);
        put("big", big, sizeof big);
        ck_assert_int_eq(credential_read(dir, "big", &v, &why), -EINVAL);
        ck_assert_ptr_null(v);
        put("nul", "a\0b", 3);
        ck_assert_int_eq(credential_read(dir, "nul", &v, &why), -EINVAL);
}
END_TEST

START_TEST(test_precedence) {
        _cleanup_(session_done) Session s = session("cmdline-0", "u", "cmdline");
        char why[256] = "";

        /* no directory: the command line's */
        ck_assert_int_eq(credentials_apply(&s, NULL, true, false, why, sizeof why), 0);
        ck_assert_str_eq(s.chap.password, "cmdline");
        /* the global credential wins over the command line */
        PUT("sd-iscsi.chap.password", "global");
        ck_assert_int_eq(credentials_apply(&s, dir, true, false, why, sizeof why), 0);
        ck_assert_str_eq(s.chap.password, "global");
        /* the session's wins over the global one; another session's does not count */
        PUT("sd-iscsi.cmdline-0.chap.password", "own");
        PUT("sd-iscsi.cmdline-1.chap.password", "other");
        PUT("sd-iscsi.chap.username", "credu");
        ck_assert_int_eq(credentials_apply(&s, dir, true, false, why, sizeof why), 0);
        ck_assert_str_eq(s.chap.password, "own");
        ck_assert_str_eq(s.chap.username, "credu");
        /* without secrets: only the flag */
        session_done(&s);
        s = session("ibft-0", NULL, NULL);
        ck_assert_int_eq(credentials_apply(&s, dir, false, false, why, sizeof why), 0);
        ck_assert_str_eq(s.chap.username, "credu");
        ck_assert(s.chap.has_password);
        ck_assert_ptr_null(s.chap.password);
        ck_assert_int_eq(session_auth(&s), AUTH_CHAP);
}
END_TEST

START_TEST(test_missing) {
        _cleanup_(session_done) Session s = session("cmdline-0", "u", NULL);
        char why[256] = "";

        ck_assert_int_eq(credentials_apply(&s, NULL, true, false, why, sizeof why), -EINVAL);
        ck_assert_str_eq(why, "no CHAP password for session cmdline-0: pass the credential "
                         "sd-iscsi.cmdline-0.chap.password or sd-iscsi.chap.password");
        PUT("sd-iscsi.chap.pasword", "typo");
        ck_assert_int_eq(credentials_apply(&s, dir, true, false, why, sizeof why), -EINVAL);
        ck_assert_ptr_nonnull(strstr(why, "sd-iscsi.chap.password"));
        /* a password without a user name */
        session_done(&s);
        s = session("dhcp", NULL, NULL);
        PUT("sd-iscsi.dhcp.chap.password", "pw");
        ck_assert_int_eq(credentials_apply(&s, dir, true, false, why, sizeof why), -EINVAL);
        ck_assert_str_eq(why, "no CHAP username for session dhcp: pass the credential "
                         "sd-iscsi.dhcp.chap.username or sd-iscsi.chap.username");
        /* the target's name without the initiator's */
        session_done(&s);
        s = session("ibft-0", NULL, NULL);
        unlink(strcat(strcpy((char[256]) {}, dir), "/sd-iscsi.dhcp.chap.password"));
        PUT("sd-iscsi.chap.in_username", "tu");
        PUT("sd-iscsi.chap.in_password", "tp");
        ck_assert_int_eq(credentials_apply(&s, dir, true, false, why, sizeof why), -EINVAL);
        ck_assert_ptr_nonnull(strstr(why, "mutual CHAP"));
        /* unusable contents name the credential, never the value */
        session_done(&s);
        s = session("cmdline-0", "u", NULL);
        PUT("sd-iscsi.cmdline-0.chap.password", "");
        ck_assert_int_eq(credentials_apply(&s, dir, true, false, why, sizeof why), -EINVAL);
        ck_assert_str_eq(why, "credential sd-iscsi.cmdline-0.chap.password is unusable: it is empty");
}
END_TEST

/* A credential sealed to the TPM2 is decrypted by systemd-creds (a stand-in here) into
 * a pipe; a failure names the credential and says why. */
static void script(const char *name, const char *body) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof path, "%s/%s", dir, name);
        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "#!/bin/sh\n%s\n", body);
        fclose(f);
        ck_assert_int_eq(chmod(path, 0755), 0);
}

START_TEST(test_encrypted) {
        _cleanup_(session_done) Session s = session("cmdline-0", "u", NULL);
        char why[512] = "", tool[512];

        ck_assert(credential_is_encrypted("DHzAexF2RZGcSwvqCLwg/iAAAAAB", 28));
        ck_assert(credential_is_encrypted("\x0c\x7c\xc0\x7b\x11\x76\x45\x91\x9c\x4b\x0b\xea\x08\xbc\x20\xfe", 16));
        ck_assert(!credential_is_encrypted("DHzAexF2RZGcSwvq", 16));
        ck_assert(!credential_is_encrypted("secret", 6));

        PUT("sd-iscsi.chap.password", "DHzAexF2RZGcSwvqCLwg/iAAAAABAAAADAAAABAA\n");
        /* the arguments as systemd-creds wants them, the plain text on stdout */
        script("creds-ok", "[ \"$1 $2\" = \"decrypt --name=sd-iscsi.chap.password\" ] && "
               "[ \"$4\" = - ] && grep -q '^DHzAe' \"$3\" && printf 'unsealed\\n'");
        snprintf(tool, sizeof tool, "%s/creds-ok", dir);
        setenv("SD_ISCSI_SYSTEMD_CREDS", tool, 1);
        ck_assert_int_eq(credentials_apply(&s, dir, true, false, why, sizeof why), 0);
        ck_assert_str_eq(s.chap.password, "unsealed");

        script("creds-fail", "echo 'Failed to unseal secret using TPM2: State not recoverable' >&2; exit 1");
        snprintf(tool, sizeof tool, "%s/creds-fail", dir);
        setenv("SD_ISCSI_SYSTEMD_CREDS", tool, 1);
        ck_assert_int_eq(credentials_apply(&s, dir, true, false, why, sizeof why), -EINVAL);
        ck_assert_ptr_nonnull(strstr(why, "credential sd-iscsi.chap.password is unusable: it is encrypted and cannot be decrypted"));

        /* decrypted, but the plain text is no CHAP string */
        script("creds-empty", "exit 0");
        snprintf(tool, sizeof tool, "%s/creds-empty", dir);
        setenv("SD_ISCSI_SYSTEMD_CREDS", tool, 1);
        ck_assert_int_eq(credentials_apply(&s, dir, true, false, why, sizeof why), -EINVAL);
        ck_assert_ptr_nonnull(strstr(why, "is unusable: it is empty"));

        snprintf(tool, sizeof tool, "%s/absent-tool", dir);
        setenv("SD_ISCSI_SYSTEMD_CREDS", tool, 1);
        ck_assert_int_eq(credentials_apply(&s, dir, true, false, why, sizeof why), -EINVAL);
        ck_assert_ptr_nonnull(strstr(why, "systemd-creds cannot be run"));
        unsetenv("SD_ISCSI_SYSTEMD_CREDS");
}
END_TEST

START_TEST(test_unit_lines) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        ck_assert_int_eq(credentials_write_unit(f, "ibft-0"), 0);
        fclose(f);
        ck_assert_str_eq(text,
                         "LoadCredential=sd-iscsi.chap.username\n"
                         "LoadCredential=sd-iscsi.chap.password\n"
                         "LoadCredential=sd-iscsi.chap.in_username\n"
                         "LoadCredential=sd-iscsi.chap.in_password\n"
                         "LoadCredential=sd-iscsi.ibft-0.chap.username\n"
                         "LoadCredential=sd-iscsi.ibft-0.chap.password\n"
                         "LoadCredential=sd-iscsi.ibft-0.chap.in_username\n"
                         "LoadCredential=sd-iscsi.ibft-0.chap.in_password\n");
}
END_TEST

/* What show writes for s, as a string (the caller frees it). */
static char *shown(void (*show)(FILE *f, const Session *s), const Session *s) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        ck_assert_ptr_nonnull(f);
        show(f, s);
        ck_assert_int_eq(fclose(f), 0);
        return text;
}

START_TEST(test_show) {
        _cleanup_(session_done) Session s = session("cmdline-2", "u", NULL);
        _cleanup_free_ char *text = NULL;

        s.chap.in_username = strdup("tu");
        text = shown(credentials_show, &s);
        ck_assert_str_eq(text, ", password from credential sd-iscsi.cmdline-2.chap.password or sd-iscsi.chap.password"
                         ", in_password from credential sd-iscsi.cmdline-2.chap.in_password or sd-iscsi.chap.in_password");
}
END_TEST

START_TEST(test_show_json) {
        _cleanup_(session_done) Session s = session("cmdline-2", "u", NULL);
        _cleanup_free_ char *both = NULL, *one = NULL, *none = NULL;

        s.chap.in_username = strdup("tu");
        both = shown(credentials_show_json, &s);
        s.chap.has_password = true;
        one = shown(credentials_show_json, &s);
        s.chap.has_in_password = true;
        none = shown(credentials_show_json, &s);
        ck_assert_str_eq(both, "{\"password\": [\"sd-iscsi.cmdline-2.chap.password\", \"sd-iscsi.chap.password\"], "
                         "\"in_password\": [\"sd-iscsi.cmdline-2.chap.in_password\", \"sd-iscsi.chap.in_password\"]}");
        ck_assert_str_eq(one, "{\"in_password\": [\"sd-iscsi.cmdline-2.chap.in_password\", \"sd-iscsi.chap.in_password\"]}");
        ck_assert_str_eq(none, "{}");
}
END_TEST

int main(void) {
        Suite *s = suite_create("credentials");
        TCase *tc = tcase_create("credentials");
        SRunner *sr;
        int failed;

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_names);
        tcase_add_test(tc, test_values);
        tcase_add_test(tc, test_read);
        tcase_add_test(tc, test_precedence);
        tcase_add_test(tc, test_missing);
        tcase_add_test(tc, test_encrypted);
        tcase_add_test(tc, test_unit_lines);
        tcase_add_test(tc, test_show);
        tcase_add_test(tc, test_show_json);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
