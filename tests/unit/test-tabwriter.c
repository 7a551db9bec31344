/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tabwriter.h"
#include "tests.h"

TEST(get_table) {
        TabWriter tw = TABWRITER_GET;
        _cleanup_(freep) char *out = NULL;

        tw_append(&tw, "NAME\tREADY\tSTATUS\tRESTARTS\tAGE\n");
        tw_append(&tw, "web\t1/1\tRunning\t0\t5m\n");
        tw_append(&tw, "a-long-pod-name\t0/2\tInit:CrashLoopBackOff\t3 (10s ago)\t2d\n");
        out = tw_flush(&tw);
        ASSERT_STREQ(out,
                     "NAME              READY   STATUS                  RESTARTS      AGE\n"
                     "web               1/1     Running                 0             5m\n"
                     "a-long-pod-name   0/2     Init:CrashLoopBackOff   3 (10s ago)   2d\n");
        tw_done(&tw);
}

TEST(remember_widths) {
        TabWriter tw = TABWRITER_GET;
        _cleanup_(freep) char *a = NULL, *b = NULL;

        tw_append(&tw, "NAME\tSTATUS\nlonger-name\tRunning\n");
        a = tw_flush(&tw);
        ASSERT_STREQ(a, "NAME          STATUS\nlonger-name   Running\n");
        /* a later row alone keeps the widths already on screen (kubectl get -w) */
        tw_printf(&tw, "%s\t%s\n", "x", "Terminating");
        b = tw_flush(&tw);
        ASSERT_STREQ(b, "x             Terminating\n");
        tw_done(&tw);
}

TEST(describe_blocks) {
        TabWriter tw = TABWRITER_DESCRIBE;
        _cleanup_(freep) char *out = NULL;

        /* a line without tabs ends a column block; the text after a line's last tab is not aligned */
        tw_append(&tw, "Name:\tweb\nNamespace:\tdefault\nContainers:\n  app:\n    Image:\tnginx\n"
                       "    Restart Count:\t0\nEvents:\n  Type\tReason\tAge\n  ----\t------\t----\n"
                       "  Normal\tStarted\t5m\n");
        out = tw_flush(&tw);
        ASSERT_STREQ(out,
                     "Name:       web\nNamespace:  default\nContainers:\n  app:\n    Image:          nginx\n"
                     "    Restart Count:  0\nEvents:\n  Type    Reason   Age\n  ----    ------   ----\n"
                     "  Normal  Started  5m\n");
        tw_done(&tw);
}

TEST(utf8_and_empty) {
        TabWriter tw = TABWRITER_DESCRIBE;
        _cleanup_(freep) char *out = NULL, *empty = NULL;

        tw_append(&tw, "é\tx\nab\ty");
        out = tw_flush(&tw);
        ASSERT_STREQ(out, "é   x\nab  y\n");
        empty = tw_flush(&tw);
        ASSERT_STREQ(empty, "");
        tw_done(&tw);
}
