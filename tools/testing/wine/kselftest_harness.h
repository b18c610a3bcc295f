/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small stand-in for the kernel's kselftest_harness.h, so that the
 * selftests/wsa_events_*_test.c files, which are written against the
 * Winsock API only, also build for Windows with MinGW-w64 and run under
 * Wine (or Windows): tools/testing/wine/run.sh.
 *
 * It implements the subset those files use -- FIXTURE, FIXTURE_VARIANT,
 * FIXTURE_VARIANT_ADD, FIXTURE_SETUP, FIXTURE_TEARDOWN, TEST, TEST_F,
 * TEST_F_TIMEOUT, TEST_HARNESS_MAIN, the ASSERT_ and EXPECT_ macros,
 * TH_LOG and SKIP -- with the same meaning, except that tests run one
 * after the other in one process (Windows has no fork()) and timeouts are
 * left to the caller.  Output is TAP, as the real harness prints.
 *
 * Written for this project; it shares no code with the kernel's harness.
 */
#ifndef WSA_WINE_KSELFTEST_HARNESS_H
#define WSA_WINE_KSELFTEST_HARNESS_H

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct __test_metadata {
	const char *name;
	int passed;
	int skip;
	int setup_completed;
	jmp_buf env;
};

struct __fixture_variant_metadata {
	const char *name;
	const void *data;
	struct __fixture_variant_metadata *next;
};

struct __fixture_metadata {
	const char *name;
	struct __fixture_variant_metadata *variants;
};

struct __test_entry {
	const char *name;
	struct __fixture_metadata *fixture;
	void (*fn)(struct __test_metadata *m, const void *variant);
	struct __test_entry *next;
};

static struct __test_entry *__tests;
static struct __fixture_variant_metadata __no_variant = { "", NULL, NULL };

/*
 * MinGW runs the registering constructors last to first: pushing each at
 * the head of its list gives the order of the source.
 */
static inline void __register_test(struct __test_entry *t)
{
	t->next = __tests;
	__tests = t;
}

static inline void __register_variant(struct __fixture_metadata *f,
				      struct __fixture_variant_metadata *v)
{
	v->next = f->variants;
	f->variants = v;
}

/* ------------------------------------------------------------------ */

#define TH_LOG(fmt, ...) \
	fprintf(stdout, "# %s:%d:%s:" fmt "\n", __FILE__, __LINE__, \
		_metadata->name, ##__VA_ARGS__)

#define SKIP(statement, fmt, ...) do {					\
	fprintf(stdout, "# SKIP " fmt "\n", ##__VA_ARGS__);		\
	_metadata->skip = 1;						\
	statement;							\
} while (0)

#define __EXPECT(expected, expected_str, seen, seen_str, op, is_assert) do { \
	__typeof__(expected) __exp = (expected);			\
	__typeof__(seen) __seen = (seen);				\
	if (!(__exp op __seen)) {					\
		fprintf(stdout, "# %s:%d:%s:Expected %s (%lld) %s %s (%lld)\n", \
			__FILE__, __LINE__, _metadata->name, expected_str, \
			(long long)(uintptr_t)__exp, #op, seen_str,	\
			(long long)(uintptr_t)__seen);			\
		_metadata->passed = 0;					\
		if (is_assert)						\
			longjmp(_metadata->env, 1);			\
	}								\
} while (0)

#define ASSERT_EQ(e, s)	__EXPECT(e, #e, s, #s, ==, 1)
#define ASSERT_NE(e, s)	__EXPECT(e, #e, s, #s, !=, 1)
#define ASSERT_LT(e, s)	__EXPECT(e, #e, s, #s, <, 1)
#define ASSERT_LE(e, s)	__EXPECT(e, #e, s, #s, <=, 1)
#define ASSERT_GT(e, s)	__EXPECT(e, #e, s, #s, >, 1)
#define ASSERT_GE(e, s)	__EXPECT(e, #e, s, #s, >=, 1)
#define ASSERT_TRUE(s)	__EXPECT(0, "0", (s) != 0, #s, !=, 1)
#define ASSERT_FALSE(s)	__EXPECT(0, "0", (s) != 0, #s, ==, 1)
#define EXPECT_EQ(e, s)	__EXPECT(e, #e, s, #s, ==, 0)
#define EXPECT_NE(e, s)	__EXPECT(e, #e, s, #s, !=, 0)
#define EXPECT_LT(e, s)	__EXPECT(e, #e, s, #s, <, 0)
#define EXPECT_LE(e, s)	__EXPECT(e, #e, s, #s, <=, 0)
#define EXPECT_GT(e, s)	__EXPECT(e, #e, s, #s, >, 0)
#define EXPECT_GE(e, s)	__EXPECT(e, #e, s, #s, >=, 0)
#define EXPECT_TRUE(s)	__EXPECT(0, "0", (s) != 0, #s, !=, 0)
#define EXPECT_FALSE(s)	__EXPECT(0, "0", (s) != 0, #s, ==, 0)

/* ------------------------------------------------------------------ */

#define FIXTURE_DATA(f)		struct _test_data_##f
#define FIXTURE_VARIANT(f)	struct _fixture_variant_##f

#define FIXTURE(f)							\
	FIXTURE_VARIANT(f);						\
	static struct __fixture_metadata _##f##_fixture_object = { #f, NULL }; \
	FIXTURE_DATA(f)

#define FIXTURE_SETUP(f)						\
	static void f##_setup(struct __test_metadata *_metadata,	\
		FIXTURE_DATA(f) *self, const FIXTURE_VARIANT(f) *variant)

#define FIXTURE_TEARDOWN(f)						\
	static void f##_teardown(struct __test_metadata *_metadata,	\
		FIXTURE_DATA(f) *self, const FIXTURE_VARIANT(f) *variant)

#define FIXTURE_VARIANT_ADD(f, v)					\
	extern const FIXTURE_VARIANT(f) _##f##_##v##_variant;		\
	static struct __fixture_variant_metadata _##f##_##v##_object =	\
		{ #v, &_##f##_##v##_variant, NULL };			\
	static void __attribute__((constructor)) _register_##f##_##v(void) \
	{								\
		__register_variant(&_##f##_fixture_object, &_##f##_##v##_object); \
	}								\
	const FIXTURE_VARIANT(f) _##f##_##v##_variant =

#define TEST_F_TIMEOUT(f, t, timeout)	TEST_F(f, t)

#define TEST_F(f, t)							\
	static void f##_##t(struct __test_metadata *_metadata,		\
		FIXTURE_DATA(f) *self, const FIXTURE_VARIANT(f) *variant); \
	static void _wrapper_##f##_##t(struct __test_metadata *_metadata, \
				       const void *variant)		\
	{								\
		FIXTURE_DATA(f) self;					\
									\
		memset(&self, 0, sizeof(self));				\
		if (setjmp(_metadata->env) == 0) {			\
			f##_setup(_metadata, &self, variant);		\
			if (!_metadata->passed || _metadata->skip)	\
				return;					\
			_metadata->setup_completed = 1;			\
			f##_##t(_metadata, &self, variant);		\
		}							\
		if (_metadata->setup_completed && setjmp(_metadata->env) == 0) \
			f##_teardown(_metadata, &self, variant);	\
	}								\
	static struct __test_entry _entry_##f##_##t =			\
		{ #t, &_##f##_fixture_object, _wrapper_##f##_##t, NULL }; \
	static void __attribute__((constructor)) _register_##f##_##t(void) \
	{								\
		__register_test(&_entry_##f##_##t);			\
	}								\
	static void f##_##t(struct __test_metadata *_metadata,		\
		FIXTURE_DATA(f) __attribute__((unused)) *self,		\
		const FIXTURE_VARIANT(f) __attribute__((unused)) *variant)

#define TEST(t)								\
	static void t(struct __test_metadata *_metadata);		\
	static void _wrapper_##t(struct __test_metadata *_metadata,	\
				 const void *variant)			\
	{								\
		(void)variant;						\
		if (setjmp(_metadata->env) == 0)			\
			t(_metadata);					\
	}								\
	static struct __fixture_metadata _##t##_global_object = { "global", NULL }; \
	static struct __test_entry _entry_##t =				\
		{ #t, &_##t##_global_object, _wrapper_##t, NULL };	\
	static void __attribute__((constructor)) _register_##t(void)	\
	{								\
		__register_test(&_entry_##t);				\
	}								\
	static void t(struct __test_metadata __attribute__((unused)) *_metadata)

/*
 * "prog" runs every test, "prog -l" lists their names, "prog -t NAME" runs
 * the one test called NAME (fixture.variant.test): run.sh runs each test
 * in a process of its own, as the real harness forks one per test.
 */
static inline int __test_harness_run(int argc, char **argv)
{
	const char *only = argc > 2 && !strcmp(argv[1], "-t") ? argv[2] : NULL;
	int list = argc > 1 && !strcmp(argv[1], "-l");
	int pass = 0, skip = 0, fail = 0, n = 0, pass2;
	struct __fixture_variant_metadata *v;
	struct __test_metadata m;
	struct __test_entry *t;
	char name[256];

	for (pass2 = 0; pass2 < 2; pass2++) {
		if (pass2 && !list)
			printf("TAP version 13\n1..%d\n", n);
		n = 0;
		for (t = __tests; t; t = t->next) {
			for (v = t->fixture->variants ? t->fixture->variants : &__no_variant;
			     v; v = v->next) {
				snprintf(name, sizeof(name), "%s%s%s.%s",
					 t->fixture->name, v->name[0] ? "." : "",
					 v->name, t->name);
				if (only && strcmp(name, only))
					continue;
				n++;
				if (!pass2)
					continue;
				if (list) {
					printf("%s\n", name);
					continue;
				}
				memset(&m, 0, sizeof(m));
				m.name = t->name;
				m.passed = 1;
				printf("#  RUN           %s ...\n", name);
				fflush(stdout);
				t->fn(&m, v->data);
				if (m.skip) {
					skip++;
					printf("ok %d %s # SKIP\n", n, name);
				} else if (m.passed) {
					pass++;
					printf("ok %d %s\n", n, name);
				} else {
					fail++;
					printf("not ok %d %s\n", n, name);
				}
				fflush(stdout);
			}
		}
	}
	if (list)
		return 0;
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       pass, fail, skip);
	return fail || !n ? 1 : 0;
}

#define TEST_HARNESS_MAIN						\
	int main(int argc, char **argv)					\
	{								\
		return __test_harness_run(argc, argv);			\
	}

#endif /* WSA_WINE_KSELFTEST_HARNESS_H */
