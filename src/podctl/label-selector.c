/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>

#include "label-selector.h"
#include "string-util.h"
#include "strv.h"

typedef enum TokenType {
        TOKEN_END,
        TOKEN_IDENT,
        TOKEN_NOT,      /* ! */
        TOKEN_NEQ,      /* != */
        TOKEN_EQ,       /* = */
        TOKEN_DEQ,      /* == */
        TOKEN_OPEN,     /* ( */
        TOKEN_CLOSE,    /* ) */
        TOKEN_COMMA,
        TOKEN_IN,
        TOKEN_NOTIN,
} TokenType;

typedef struct Lexer {
        const char *p;
        TokenType type;
        const char *text; /* start of the token */
        size_t len;
} Lexer;

static bool special(char c) {
        return strchr("!=(),<>", c) || isspace((unsigned char) c);
}

static void next(Lexer *l) {
        while (isspace((unsigned char) *l->p))
                l->p++;
        l->text = l->p;

        if (!*l->p) {
                l->type = TOKEN_END;
                l->len = 0;
                return;
        }
        if (startswith(l->p, "!=") || startswith(l->p, "==")) {
                l->type = l->p[0] == '!' ? TOKEN_NEQ : TOKEN_DEQ;
                l->len = 2;
        } else if (special(*l->p) && *l->p != '<' && *l->p != '>') {
                l->type = *l->p == '!' ? TOKEN_NOT : *l->p == '=' ? TOKEN_EQ : *l->p == '(' ? TOKEN_OPEN :
                          *l->p == ')' ? TOKEN_CLOSE : TOKEN_COMMA;
                l->len = 1;
        } else {
                size_t n = 0;

                /* '<' and '>' (Gt/Lt, for numeric labels) are not supported: they stay in the identifier,
                 * which the key syntax then rejects */
                while (l->p[n] && (!special(l->p[n]) || l->p[n] == '<' || l->p[n] == '>'))
                        n++;
                l->len = n;
                l->type = n == 2 && strneq(l->p, "in", 2) ? TOKEN_IN :
                          n == 5 && strneq(l->p, "notin", 5) ? TOKEN_NOTIN : TOKEN_IDENT;
        }
        l->p += l->len;
}

static bool valid_key(const char *k, size_t n) {
        /* [prefix/]name: name ≤ 63 of [A-Za-z0-9._-] starting and ending alphanumeric; a DNS prefix. */
        const char *slash = memchr(k, '/', n);
        const char *name = slash ? slash + 1 : k;
        size_t nlen = n - (size_t) (name - k);

        if (nlen == 0 || nlen > 63 || !isalnum((unsigned char) name[0]) || !isalnum((unsigned char) name[nlen - 1]))
                return false;
        for (size_t i = 0; i < nlen; i++)
                if (!isalnum((unsigned char) name[i]) && !strchr("._-", name[i]))
                        return false;
        if (slash) {
                size_t plen = (size_t) (slash - k);

                if (plen == 0 || plen > 253)
                        return false;
                for (size_t i = 0; i < plen; i++)
                        if (!islower((unsigned char) k[i]) && !isdigit((unsigned char) k[i]) && !strchr(".-", k[i]))
                                return false;
        }
        return true;
}

static int fail(char **ret_error, const Lexer *l, const char *what) {
        if (ret_error) {
                if (l->type == TOKEN_END)
                        *ret_error = asprintf_safe("%s, found end of string", what);
                else
                        *ret_error = asprintf_safe("%s, found '%.*s'", what, (int) l->len, l->text);
                if (!*ret_error)
                        return -ENOMEM;
        }
        return -EINVAL;
}

static void requirement_done(SelectorRequirement *r) {
        free(r->key);
        strv_free(r->values);
}

static int parse_values(Lexer *l, SelectorRequirement *req, char **ret_error) {
        int r;

        next(l);
        if (l->type != TOKEN_OPEN)
                return fail(ret_error, l, "expected '(' after 'in'/'notin'");
        for (;;) {
                next(l);
                if (l->type != TOKEN_IDENT)
                        return fail(ret_error, l, "expected a value in the set");
                r = strv_push(&req->values, strndup(l->text, l->len));
                if (r < 0)
                        return r;
                next(l);
                if (l->type == TOKEN_CLOSE)
                        return 0;
                if (l->type != TOKEN_COMMA)
                        return fail(ret_error, l, "expected ',' or ')' in the set");
        }
}

static int parse_requirement(Lexer *l, SelectorRequirement *req, char **ret_error) {
        bool negated = false;
        int r;

        if (l->type == TOKEN_NOT) {
                negated = true;
                next(l);
        }
        if (l->type != TOKEN_IDENT)
                return fail(ret_error, l, "expected a label key");
        if (!valid_key(l->text, l->len)) {
                if (ret_error && !(*ret_error = asprintf_safe("invalid label key \"%.*s\"", (int) l->len, l->text)))
                        return -ENOMEM;
                return -EINVAL;
        }
        req->key = strndup(l->text, l->len);
        if (!req->key)
                return -ENOMEM;

        next(l);
        if (negated || l->type == TOKEN_END || l->type == TOKEN_COMMA) {
                req->op = negated ? SELECTOR_NOT_EXISTS : SELECTOR_EXISTS;
                if (negated && l->type != TOKEN_END && l->type != TOKEN_COMMA)
                        return fail(ret_error, l, "expected ',' or end after '!key'");
                return 0;
        }

        switch (l->type) {
        case TOKEN_EQ:
        case TOKEN_DEQ:
        case TOKEN_NEQ:
                req->op = l->type == TOKEN_NEQ ? SELECTOR_NOT_EQUALS : SELECTOR_EQUALS;
                next(l);
                /* an empty value is allowed: "a=" selects a label a with the empty value */
                r = strv_push(&req->values, strndup(l->type == TOKEN_IDENT ? l->text : "",
                                                     l->type == TOKEN_IDENT ? l->len : 0));
                if (r < 0)
                        return r;
                if (l->type == TOKEN_IDENT)
                        next(l);
                break;
        case TOKEN_IN:
        case TOKEN_NOTIN:
                req->op = l->type == TOKEN_IN ? SELECTOR_IN : SELECTOR_NOT_IN;
                r = parse_values(l, req, ret_error);
                if (r < 0)
                        return r;
                next(l);
                break;
        default:
                return fail(ret_error, l, "expected '=', '==', '!=', 'in' or 'notin'");
        }

        if (l->type != TOKEN_END && l->type != TOKEN_COMMA)
                return fail(ret_error, l, "expected ',' or end of selector");
        return 0;
}

int label_selector_parse(const char *s, LabelSelector **ret, char **ret_error) {
        _cleanup_(label_selector_freep) LabelSelector *sel = NULL;
        size_t allocated = 0;
        Lexer l = { .p = s ?: "" };
        int r;

        if (ret_error)
                *ret_error = NULL;
        sel = calloc(1, sizeof(LabelSelector));
        if (!sel)
                return -ENOMEM;

        next(&l);
        while (l.type != TOKEN_END) {
                if (!GREEDY_REALLOC(sel->items, allocated, sel->n + 1))
                        return -ENOMEM;
                sel->items[sel->n] = (SelectorRequirement) {};
                r = parse_requirement(&l, &sel->items[sel->n], ret_error);
                sel->n++; /* also when it failed: the destructor frees what was parsed */
                if (r < 0)
                        return r;
                if (l.type == TOKEN_COMMA) {
                        next(&l);
                        if (l.type == TOKEN_END)
                                return fail(ret_error, &l, "expected a requirement after ','");
                }
        }

        *ret = TAKE_PTR(sel);
        return 0;
}

LabelSelector *label_selector_free(LabelSelector *sel) {
        if (!sel)
                return NULL;
        for (size_t i = 0; i < sel->n; i++)
                requirement_done(&sel->items[i]);
        free(sel->items);
        free(sel);
        return NULL;
}

bool label_selector_match(const LabelSelector *sel, const YNode *labels) {
        if (!sel)
                return true;

        for (size_t i = 0; i < sel->n; i++) {
                const SelectorRequirement *req = &sel->items[i];
                const YNode *v = labels && labels->type == YNODE_MAPPING ? ynode_get(labels, req->key) : NULL;
                /* label values are strings; anything else a JSON writer produced is compared as written */
                const char *value = v && v->type == YNODE_SCALAR ? v->value : NULL;
                bool ok;

                switch (req->op) {
                case SELECTOR_EXISTS:
                        ok = v != NULL;
                        break;
                case SELECTOR_NOT_EXISTS:
                        ok = v == NULL;
                        break;
                case SELECTOR_EQUALS:
                        ok = value && streq(value, req->values[0]);
                        break;
                case SELECTOR_NOT_EQUALS:
                        ok = !value || !streq(value, req->values[0]);
                        break;
                case SELECTOR_IN:
                        ok = value && strv_contains(req->values, value);
                        break;
                case SELECTOR_NOT_IN:
                        ok = !value || !strv_contains(req->values, value);
                        break;
                default:
                        ok = false;
                }
                if (!ok)
                        return false;
        }
        return true;
}
