/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/mount.h>
#include <sys/socket.h>

#include "bus-plan.h"
#include "manifest.h"
#include "strv.h"
#include "tests.h"

/* sd-bus only builds messages on an open bus. A bus on one end of a socketpair, started but never
 * authenticated, is open enough and needs no D-Bus daemon; nothing is ever sent. */
static sd_bus *test_bus_new(int *ret_peer) {
        sd_bus *bus = NULL;
        int fds[2];

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
                TEST_FAIL("socketpair: %s", strerror(errno));
        if (sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, fds[0], fds[0]) < 0 || sd_bus_start(bus) < 0)
                TEST_FAIL("cannot set up a bus on a socketpair");
        *ret_peer = fds[1];
        return bus;
}

static sd_bus_message *start_call_new(sd_bus *bus, const char *name) {
        sd_bus_message *m = NULL;

        if (sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", "StartTransientUnit") < 0)
                TEST_FAIL("cannot make a method call");
        if (sd_bus_message_append(m, "ss", name, "fail") < 0)
                TEST_FAIL("cannot append the name");
        return m;
}

/* Seals m and positions it at the properties array. */
static void start_call_rewind(sd_bus_message *m) {
        const char *name, *mode;

        ASSERT_OK(sd_bus_message_seal(m, 1, 0));
        ASSERT_OK(sd_bus_message_rewind(m, true));
        ASSERT_EQ(sd_bus_message_read(m, "ss", &name, &mode), 1);
        ASSERT_STREQ(mode, "fail");
}

/* Every property kind, with the value each must carry on the wire. */
static char *exec_argv[] = { (char *) "/bin/sh", (char *) "-c", (char *) "echo $HOME ${X} $$", NULL };
static char *strv_value[] = { (char *) "A=1", (char *) "B=$x", NULL };
static char *fields_value[] = { (char *) "POD_NAME=web", (char *) "CONTAINER_NAME=c", NULL };
static UnitBindPath binds_value[] = {
        { .source = (char *) "/var/lib/pods/x", .destination = (char *) "/data", .recursive = true },
        { .source = (char *) "/etc/ro", .destination = (char *) "/ro", .ignore_enoent = true },
};

static const UnitProp all_props[] = {
        { .name = "Description", .type = UNIT_PROP_STRING, .str = (char *) "pod web $1" },
        { .name = "NoNewPrivileges", .type = UNIT_PROP_BOOL, .b = true },
        { .name = "MemoryMax", .type = UNIT_PROP_U64, .u64 = UINT64_C(67108864) },
        { .name = "LogRateLimitBurst", .type = UNIT_PROP_U32, .u64 = 100000 },
        { .name = "OOMScoreAdjust", .type = UNIT_PROP_I32, .i32 = -998 },
        { .name = "TimeoutStopUSec", .type = UNIT_PROP_USEC, .u64 = UINT64_C(15000000) },
        { .name = "Environment", .type = UNIT_PROP_STRV, .strv = strv_value },
        { .name = "ExecStart", .type = UNIT_PROP_EXEC,
          .exec = { .path = (char *) "/bin/sh", .argv = exec_argv, .ignore_failure = true } },
        { .name = "LogExtraFields", .type = UNIT_PROP_BYTES_LIST, .strv = fields_value },
        { .name = "BindPaths", .type = UNIT_PROP_BIND_PATHS, .binds = binds_value, .n_binds = 2 },
};

static void read_prop_head(sd_bus_message *m, const char *name, const char *sig) {
        const char *n;

        ASSERT_EQ(sd_bus_message_enter_container(m, 'r', "sv"), 1);
        ASSERT_EQ(sd_bus_message_read(m, "s", &n), 1);
        ASSERT_STREQ(n, name);
        ASSERT_EQ(sd_bus_message_enter_container(m, 'v', sig), 1);
}

static void read_prop_tail(sd_bus_message *m) {
        ASSERT_EQ(sd_bus_message_exit_container(m), 1);
        ASSERT_EQ(sd_bus_message_exit_container(m), 1);
}

TEST(every_kind) {
        int peer = -EBADF;
        sd_bus *bus = test_bus_new(&peer);
        sd_bus_message *m = start_call_new(bus, "pod-default-web-c.service");
        PlannedUnit u = { .name = (char *) "pod-default-web-c.service", .kind = UNIT_SERVICE,
                          .props = (UnitProp *) all_props, .n_props = ELEMENTSOF(all_props) };
        const char *s, *s2;
        int b;
        uint64_t t;
        uint32_t u32;
        int32_t i32;
        char **l = NULL;
        const void *bytes;
        size_t sz;

        ASSERT_OK(bus_append_unit_plan(m, &u));
        ASSERT_OK(sd_bus_message_append(m, "a(sa(sv))", 0));
        start_call_rewind(m);
        ASSERT_EQ(sd_bus_message_enter_container(m, 'a', "(sv)"), 1);

        read_prop_head(m, "Description", "s");
        ASSERT_EQ(sd_bus_message_read(m, "s", &s), 1);
        ASSERT_STREQ(s, "pod web $1"); /* only command lines are expanded by systemd */
        read_prop_tail(m);

        read_prop_head(m, "NoNewPrivileges", "b");
        ASSERT_EQ(sd_bus_message_read(m, "b", &b), 1);
        ASSERT_EQ(b, 1);
        read_prop_tail(m);

        read_prop_head(m, "MemoryMax", "t");
        ASSERT_EQ(sd_bus_message_read(m, "t", &t), 1);
        ASSERT_EQ(t, 67108864);
        read_prop_tail(m);

        read_prop_head(m, "LogRateLimitBurst", "u");
        ASSERT_EQ(sd_bus_message_read(m, "u", &u32), 1);
        ASSERT_EQ(u32, 100000);
        read_prop_tail(m);

        read_prop_head(m, "OOMScoreAdjust", "i");
        ASSERT_EQ(sd_bus_message_read(m, "i", &i32), 1);
        ASSERT_EQ(i32, -998);
        read_prop_tail(m);

        read_prop_head(m, "TimeoutStopUSec", "t");
        ASSERT_EQ(sd_bus_message_read(m, "t", &t), 1);
        ASSERT_EQ(t, 15000000);
        read_prop_tail(m);

        read_prop_head(m, "Environment", "as");
        ASSERT_EQ(sd_bus_message_read_strv(m, &l), 1);
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_STREQ(l[0], "A=1");
        ASSERT_STREQ(l[1], "B=$x"); /* Environment= is not expanded */
        l = strv_free(l);
        read_prop_tail(m);

        read_prop_head(m, "ExecStart", "a(sasb)");
        ASSERT_EQ(sd_bus_message_enter_container(m, 'a', "(sasb)"), 1);
        ASSERT_EQ(sd_bus_message_enter_container(m, 'r', "sasb"), 1);
        ASSERT_EQ(sd_bus_message_read(m, "s", &s), 1);
        ASSERT_STREQ(s, "/bin/sh");
        ASSERT_EQ(sd_bus_message_read_strv(m, &l), 1);
        ASSERT_EQ(strv_length(l), 3);
        ASSERT_STREQ(l[0], "/bin/sh");
        ASSERT_STREQ(l[1], "-c");
        ASSERT_STREQ(l[2], "echo $$HOME $${X} $$$$");
        l = strv_free(l);
        ASSERT_EQ(sd_bus_message_read(m, "b", &b), 1);
        ASSERT_EQ(b, 1);
        ASSERT_EQ(sd_bus_message_exit_container(m), 1);
        ASSERT_EQ(sd_bus_message_at_end(m, false), 1); /* exactly one command */
        ASSERT_EQ(sd_bus_message_exit_container(m), 1);
        read_prop_tail(m);

        read_prop_head(m, "LogExtraFields", "aay");
        ASSERT_EQ(sd_bus_message_enter_container(m, 'a', "ay"), 1);
        for (size_t i = 0; fields_value[i]; i++) {
                ASSERT_EQ(sd_bus_message_read_array(m, 'y', &bytes, &sz), 1);
                ASSERT_EQ(sz, strlen(fields_value[i])); /* no NUL on the wire */
                ASSERT_TRUE(memcmp(bytes, fields_value[i], sz) == 0);
        }
        ASSERT_EQ(sd_bus_message_at_end(m, false), 1);
        ASSERT_EQ(sd_bus_message_exit_container(m), 1);
        read_prop_tail(m);

        read_prop_head(m, "BindPaths", "a(ssbt)");
        ASSERT_EQ(sd_bus_message_enter_container(m, 'a', "(ssbt)"), 1);
        ASSERT_EQ(sd_bus_message_read(m, "(ssbt)", &s, &s2, &b, &t), 1);
        ASSERT_STREQ(s, "/var/lib/pods/x");
        ASSERT_STREQ(s2, "/data");
        ASSERT_EQ(b, 0);
        ASSERT_EQ(t, MS_REC);
        ASSERT_EQ(sd_bus_message_read(m, "(ssbt)", &s, &s2, &b, &t), 1);
        ASSERT_STREQ(s, "/etc/ro");
        ASSERT_STREQ(s2, "/ro");
        ASSERT_EQ(b, 1);
        ASSERT_EQ(t, 0);
        ASSERT_EQ(sd_bus_message_exit_container(m), 1);
        read_prop_tail(m);

        ASSERT_EQ(sd_bus_message_at_end(m, false), 1);
        ASSERT_EQ(sd_bus_message_exit_container(m), 1);
        ASSERT_EQ(sd_bus_message_enter_container(m, 'a', "(sa(sv))"), 1); /* aux, empty */
        ASSERT_EQ(sd_bus_message_at_end(m, false), 1);

        sd_bus_message_unref(m);
        sd_bus_close_unref(bus); /* never flush: the peer never authenticates */
        close(peer);
}

/* Properties the back-end cannot write make it fail before it appends anything. */
TEST(unsendable) {
        static char *no_argv[] = { NULL };
        static const struct {
                UnitProp prop;
        } cases[] = {
                { { .name = "Bogus", .type = _UNIT_PROP_TYPE_MAX } },
                { { .name = "Bogus", .type = _UNIT_PROP_TYPE_INVALID } },
                { { .name = NULL, .type = UNIT_PROP_BOOL } },
                { { .name = "LogRateLimitBurst", .type = UNIT_PROP_U32, .u64 = UINT64_C(1) << 32 } },
                { { .name = "ExecStart", .type = UNIT_PROP_EXEC,
                    .exec = { .path = NULL, .argv = exec_argv } } },
                { { .name = "ExecStart", .type = UNIT_PROP_EXEC,
                    .exec = { .path = (char *) "/bin/true", .argv = no_argv } } },
                { { .name = "BindPaths", .type = UNIT_PROP_BIND_PATHS, .binds = NULL, .n_binds = 1 } },
        };
        int peer = -EBADF;
        sd_bus *bus = test_bus_new(&peer);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                /* A good property first: it must not be written either. */
                UnitProp props[2] = { all_props[0], cases[i].prop };
                PlannedUnit u = { .name = (char *) "x.service", .props = props, .n_props = 2 };
                sd_bus_message *m = start_call_new(bus, "x.service");

                ASSERT_ERROR(bus_append_unit_plan(m, &u), EINVAL);
                start_call_rewind(m);
                ASSERT_EQ(sd_bus_message_at_end(m, true), 1);
                sd_bus_message_unref(m);
        }

        sd_bus_close_unref(bus); /* never flush: the peer never authenticates */
        close(peer);
}

/* A real plan goes through whole: every property of every unit, names in plan order. */
TEST(web_manifest) {
        size_t len;
        char *text = test_read_file("../manifests/web.yaml", &len);
        Manifest *mf = NULL;
        UnitPlan *plan = NULL;
        Diags diags = {};
        PlanContext ctx = PLAN_CONTEXT_DEFAULT;
        int peer = -EBADF;
        sd_bus *bus = test_bus_new(&peer);

        ASSERT_OK(manifest_load(text, len, NULL, &mf, &diags));
        ASSERT_EQ(mf->n_pods, 1);
        ASSERT_OK(unit_plan_build(mf->pods[0], &ctx, &plan, &diags));
        ASSERT_TRUE(plan->n_units >= 3);

        for (size_t i = 0; i < plan->n_units; i++) {
                const PlannedUnit *u = &plan->units[i];
                sd_bus_message *m = start_call_new(bus, u->name);
                size_t n = 0;
                const char *name;

                ASSERT_OK(bus_append_unit_plan(m, u));
                start_call_rewind(m);
                ASSERT_EQ(sd_bus_message_enter_container(m, 'a', "(sv)"), 1);
                while (sd_bus_message_enter_container(m, 'r', "sv") > 0) {
                        ASSERT_EQ(sd_bus_message_read(m, "s", &name), 1);
                        ASSERT_STREQ(name, u->props[n].name);
                        const char *sig = unit_prop_signature(u->props[n].type);
                        ASSERT_EQ(sd_bus_message_enter_container(m, 'v', sig), 1);
                        ASSERT_OK(sd_bus_message_skip(m, sig));
                        ASSERT_EQ(sd_bus_message_exit_container(m), 1);
                        ASSERT_EQ(sd_bus_message_exit_container(m), 1);
                        n++;
                }
                ASSERT_EQ(n, u->n_props);
                sd_bus_message_unref(m);
        }

        unit_plan_free(plan);
        manifest_free(mf);
        diags_done(&diags);
        free(text);
        sd_bus_close_unref(bus); /* never flush: the peer never authenticates */
        close(peer);
}
