/* BearSSL's own DRBG seeding in a static musl program (tools/musl_static.sh).
 *
 * BearSSL 0.6 seeds its engine from br_prng_seeder_system(): RDRAND when the
 * CPU has it, else /dev/urandom (open/read). certstream.h injects its own
 * getrandom() entropy on top, but the library's seeding must work too.
 * This seeds an HMAC-DRBG with the system seeder, then starts a client
 * handshake (br_ssl_client_reset) with no entropy injected: BearSSL must
 * seed itself. Prints "seeder NAME: ok". Built with EXPECT_SEEDER="urandom"
 * and sysrng.c compiled with BR_RDRAND=0, it checks the /dev/urandom path. */
#include <bearssl.h>
#include <stdio.h>
#include <string.h>

static br_ssl_client_context sc;
static br_x509_minimal_context xc;
static unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];

int
main(void)
{
    const char *name = "none";
    br_prng_seeder seeder = br_prng_seeder_system(&name);
    br_hmac_drbg_context drbg;
    unsigned char a[32], b[32];
    int err;

    if (seeder == 0) {
        printf("no system seeder\n");
        return 1;
    }
#ifdef EXPECT_SEEDER
    if (strcmp(name, EXPECT_SEEDER) != 0) {
        printf("seeder %s, expected %s\n", name, EXPECT_SEEDER);
        return 1;
    }
#endif
    br_hmac_drbg_init(&drbg, &br_sha256_vtable, "probe", 5);
    if (!seeder(&drbg.vtable)) {
        printf("seeder %s failed\n", name);
        return 1;
    }
    br_hmac_drbg_generate(&drbg, a, sizeof a);
    br_hmac_drbg_init(&drbg, &br_sha256_vtable, "probe", 5);
    if (!seeder(&drbg.vtable)) {
        printf("seeder %s failed the second time\n", name);
        return 1;
    }
    br_hmac_drbg_generate(&drbg, b, sizeof b);
    if (memcmp(a, b, sizeof a) == 0) {
        printf("seeder %s: the same output twice\n", name);
        return 1;
    }
    br_ssl_client_init_full(&sc, &xc, NULL, 0);
    br_ssl_engine_set_buffer(&sc.eng, iobuf, sizeof iobuf, 1);
    if (!br_ssl_client_reset(&sc, "localhost", 0)) {
        err = br_ssl_engine_last_error(&sc.eng);
        printf("seeder %s: br_ssl_client_reset failed (BearSSL error %d%s)\n",
               name, err, err == BR_ERR_NO_RANDOM ? ", BR_ERR_NO_RANDOM" : "");
        return 1;
    }
    printf("seeder %s: ok\n", name);
    return 0;
}
