/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "env-expand.h"
#include "tests.h"

typedef struct Var {
        const char *name, *value;
} Var;

static const char *lookup_table(const char *name, void *userdata) {
        for (const Var *v = userdata; v->name; v++)
                if (streq(v->name, name))
                        return v->value;
        return NULL;
}

typedef struct ExpandCase {
        const char *name, *input, *expected;
} ExpandCase;

/* Kubernetes' expand_test.go doExpansionTest, with its context. */
static const Var context[] = {
        { "VAR_A", "A" },
        { "VAR_B", "B" },
        { "VAR_C", "C" },
        { "VAR_REF", "$(VAR_A)" },
        { "VAR_EMPTY", "" },
        {},
};

static const ExpandCase cases[] = {
        { "whole string", "$(VAR_A)", "A" },
        { "repeat", "$(VAR_A)-$(VAR_A)", "A-A" },
        { "beginning", "$(VAR_A)-1", "A-1" },
        { "middle", "___$(VAR_B)___", "___B___" },
        { "end", "___$(VAR_C)", "___C" },
        { "compound", "$(VAR_A)_$(VAR_B)_$(VAR_C)", "A_B_C" },
        { "escape & expand", "$$(VAR_B)_$(VAR_A)", "$(VAR_B)_A" },
        { "compound escape", "$$(VAR_A)_$$(VAR_B)", "$(VAR_A)_$(VAR_B)" },
        { "mixed in escapes", "f000-$$VAR_A", "f000-$VAR_A" },
        { "backslash escape ignored", "foo\\$(VAR_C)bar", "foo\\Cbar" },
        { "backslash escape ignored", "foo\\\\$(VAR_C)bar", "foo\\\\Cbar" },
        { "lots of backslashes", "foo\\\\\\\\$(VAR_A)bar", "foo\\\\\\\\Abar" },
        { "nested var references", "$(VAR_A$(VAR_B))", "$(VAR_A$(VAR_B))" },
        { "nested var references second type", "$(VAR_A$(VAR_B)", "$(VAR_A$(VAR_B)" },
        { "value is a reference", "$(VAR_REF)", "$(VAR_A)" },
        { "value is a reference x 2", "%%$(VAR_REF)--$(VAR_REF)%%", "%%$(VAR_A)--$(VAR_A)%%" },
        { "empty var", "foo$(VAR_EMPTY)bar", "foobar" },
        { "unterminated expression", "foo$(VAR_Awhoops!", "foo$(VAR_Awhoops!" },
        { "expression without operator", "f00__(VAR_A)__", "f00__(VAR_A)__" },
        { "shell special vars pass through", "$?_boo_$!", "$?_boo_$!" },
        { "bare operators are ignored", "$VAR_A", "$VAR_A" },
        { "undefined vars are passed through", "$(VAR_DNE)", "$(VAR_DNE)" },
        { "multiple (even) operators, var undefined", "$$$$$$(BIG_MONEY)", "$$$(BIG_MONEY)" },
        { "multiple (even) operators, var defined", "$$$$$$(VAR_A)", "$$$(VAR_A)" },
        { "multiple (odd) operators, var undefined", "$$$$$$$(GOOD_ODDS)", "$$$$(GOOD_ODDS)" },
        { "multiple (odd) operators, var defined", "$$$$$$$(VAR_A)", "$$$A" },
        { "missing open expression", "$VAR_A)", "$VAR_A)" },
        { "shell syntax ignored", "${VAR_A}", "${VAR_A}" },
        { "trailing incomplete expression not consumed", "$(VAR_B)_______$(A", "B_______$(A" },
        { "trailing incomplete expression, no content, is not consumed", "$(VAR_C)_______$(", "C_______$(" },
        { "operator at end of input string is preserved", "$(VAR_A)foobarzab$", "Afoobarzab$" },
        { "shell escaped incomplete expr", "foo-\\$(VAR_A", "foo-\\$(VAR_A" },
        { "lots of $( in middle", "--$($($($($--", "--$($($($($--" },
        { "lots of $( in beginning", "$($($($($--foo$(", "$($($($($--foo$(" },
        { "lots of $( at end", "foo0--$($($($(", "foo0--$($($($(" },
        { "escaped operators in variable names are not escaped", "$(foo$$var)", "$(foo$$var)" },
        { "newline not expanded", "\n", "\n" },
        /* our own edge cases */
        { "empty input", "", "" },
        { "no operator", "plain text", "plain text" },
        { "lone operator", "$", "$" },
        { "two operators", "$$", "$" },
        { "three operators", "$$$", "$$" },
        { "empty reference", "$()", "$()" },
        { "empty reference in text", "a$()b", "a$()b" },
        { "unterminated then reference", "$($(VAR_A", "$($(VAR_A" },
        { "first closer ends the name", "$(VAR_A))", "A)" },
        { "value not rescanned", "$(VAR_REF)$(VAR_REF)", "$(VAR_A)$(VAR_A)" },
        { "operator before paren only", "$ (VAR_A)", "$ (VAR_A)" },
        { "name with spaces", "$(VAR A)", "$(VAR A)" },
        { "utf-8 after operator", "$\xc3\xa9$(VAR_B)", "$\xc3\xa9" "B" },
        { "adjacent references", "$(VAR_A)$(VAR_B)$(VAR_C)", "ABC" },
        { "escape at end", "x$$", "x$" },
        { "unterminated at end", "x$(", "x$(" },
};

TEST(expansion_vectors) {
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                fprintf(stderr, "  %s\n", cases[i].name);
                _cleanup_(freep) char *s = env_expand(cases[i].input, lookup_table, (void *) context);
                ASSERT_STREQ(s, cases[i].expected);
        }
}

static const char *lookup_empty_name(const char *name, void *userdata) {
        return streq(name, "") ? "EMPTY" : NULL;
}

TEST(empty_name_is_looked_up) {
        /* Go passes "" to the mapping too; whether it is known is the caller's business. */
        _cleanup_(freep) char *s = env_expand("<$()>", lookup_empty_name, NULL);
        ASSERT_STREQ(s, "<EMPTY>");
}

TEST(env_chain) {
        /* expand_test.go TestMapReference: each env value expands against the entries before it, and
         * values already expanded are what later ones see. */
        Var env[] = {
                { "FOO", "bar" },
                { "ZOO", "$(FOO)-1" },
                { "BLU", "$(ZOO)-2" },
                {},
        };
        char *expanded[3] = {};
        for (size_t i = 0; i < 3; i++) {
                expanded[i] = env_expand(env[i].value, lookup_table, env);
                ASSERT_NOT_NULL(expanded[i]);
                env[i].value = expanded[i];
        }
        ASSERT_STREQ(expanded[0], "bar");
        ASSERT_STREQ(expanded[1], "bar-1");
        ASSERT_STREQ(expanded[2], "bar-1-2");
        for (size_t i = 0; i < 3; i++)
                free(expanded[i]);
}
