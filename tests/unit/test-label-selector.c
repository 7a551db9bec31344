/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "label-selector.h"
#include "tests.h"

static YStream *parse(const char *json) {
        YStream *s = NULL;
        Diags d = {};

        if (ystream_parse(json, strlen(json), &YLIMITS_DEFAULT, &s, &d) < 0)
                s = NULL;
        diags_done(&d);
        return s;
}

TEST(match) {
        static const struct {
                const char *selector;
                bool web, db, none; /* app=web,tier=front,env=prod / app=db,env= / no labels */
        } cases[] = {
                { "", true, true, true },
                { "app=web", true, false, false },
                { "app==web", true, false, false },
                { "app!=web", false, true, true },
                { "app", true, true, false },
                { "!app", false, false, true },
                { "tier", true, false, false },
                { "!tier", false, true, true },
                { "app in (web,db)", true, true, false },
                { "app in (x)", false, false, false },
                { "app notin (web)", false, true, true },
                { "app notin ( web , db )", false, false, true },
                { "app=web,tier=front", true, false, false },
                { " app = web , env in (prod) ", true, false, false },
                { "env=", false, true, false },
                { "env!=", true, false, true },
                { "a=b,c!=d,e,!f,g in (x,y),h notin (z)", false, false, false },
                { "app,!f,env notin (z),app in (db,web)", true, true, false },
                { "example.com/role!=x", true, true, true },
        };
        _cleanup_(ystream_freep) YStream *web = parse("{\"app\":\"web\",\"tier\":\"front\",\"env\":\"prod\"}");
        _cleanup_(ystream_freep) YStream *db = parse("{\"app\":\"db\",\"env\":\"\"}");

        ASSERT_NOT_NULL(web);
        ASSERT_NOT_NULL(db);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(label_selector_freep) LabelSelector *sel = NULL;

                fprintf(stderr, "selector \"%s\"\n", cases[i].selector);
                ASSERT_OK(label_selector_parse(cases[i].selector, &sel, NULL));
                ASSERT_EQ(label_selector_match(sel, web->documents[0].root), cases[i].web);
                ASSERT_EQ(label_selector_match(sel, db->documents[0].root), cases[i].db);
                ASSERT_EQ(label_selector_match(sel, NULL), cases[i].none);
        }
        ASSERT_TRUE(label_selector_match(NULL, NULL));
}

TEST(parse_structure) {
        _cleanup_(label_selector_freep) LabelSelector *sel = NULL;

        ASSERT_OK(label_selector_parse("a=b,c!=d,e,!f,g in (x,y),h notin (z)", &sel, NULL));
        ASSERT_EQ(sel->n, 6);
        ASSERT_EQ(sel->items[0].op, SELECTOR_EQUALS);
        ASSERT_STREQ(sel->items[0].values[0], "b");
        ASSERT_EQ(sel->items[1].op, SELECTOR_NOT_EQUALS);
        ASSERT_EQ(sel->items[2].op, SELECTOR_EXISTS);
        ASSERT_STREQ(sel->items[3].key, "f");
        ASSERT_EQ(sel->items[3].op, SELECTOR_NOT_EXISTS);
        ASSERT_EQ(sel->items[4].op, SELECTOR_IN);
        ASSERT_STREQ(sel->items[4].values[1], "y");
        ASSERT_NULL(sel->items[4].values[2]);
        ASSERT_EQ(sel->items[5].op, SELECTOR_NOT_IN);
        ASSERT_STREQ(sel->items[5].values[0], "z");
}

TEST(parse_errors) {
        static const struct {
                const char *selector, *message;
        } cases[] = {
                { "a=b,", "expected a requirement after ',', found end of string" },
                { ",a", "expected a label key, found ','" },
                { "a in x", "expected '(' after 'in'/'notin', found 'x'" },
                { "a in ()", "expected a value in the set, found ')'" },
                { "a in (x", "expected ',' or ')' in the set, found end of string" },
                { "a b", "expected '=', '==', '!=', 'in' or 'notin', found 'b'" },
                { "!a=b", "expected ',' or end after '!key', found '='" },
                { "a=b c", "expected ',' or end of selector, found 'c'" },
                { "-a=b", "invalid label key \"-a\"" },
                { "a>1", "invalid label key \"a>1\"" },
                { "(", "expected a label key, found '('" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(label_selector_freep) LabelSelector *sel = NULL;
                _cleanup_(freep) char *err = NULL;

                fprintf(stderr, "selector \"%s\"\n", cases[i].selector);
                ASSERT_ERROR(label_selector_parse(cases[i].selector, &sel, &err), EINVAL);
                ASSERT_NULL(sel);
                ASSERT_STREQ(err, cases[i].message);
        }
}
