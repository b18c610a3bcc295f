// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent: pinning the user memory of an overlapped operation.
 *
 * An overlapped operation that must wait completes from a workqueue,
 * outside the submitter's address space, so its buffers, its
 * WSAOVERLAPPED and its source-address fields are pinned (an invalid one
 * fails the submission with EFAULT) and written through the pages.
 * Pinned pages are charged against the context's max_pinned_kb (io.c).
 * The first try, inside the submitting call, uses the user's memory
 * directly; it only probes it first.
 */

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "internal.h"

static unsigned int wsaevent_pages_spanned(unsigned long uaddr, size_t len)
{
	if (!len)
		return 0;
	return (PAGE_ALIGN(uaddr + len) - (uaddr & PAGE_MASK)) >> PAGE_SHIFT;
}

/**
 * wsaevent_pin_iovec() - pin the buffers of an iovec array
 * @pin: filled with the pages and one bio_vec per page
 * @iov: the buffers (kernel copy of the user's iovec array)
 * @nr: number of entries
 * @write: the kernel will write the pages (a receive)
 * @store: room for the page and bio_vec arrays when they fit, or NULL
 *
 * Return: 0, -ENOMEM or -EFAULT.  On failure nothing stays pinned.
 */
int wsaevent_pin_iovec(struct wsaevent_pin *pin, const struct iovec *iov,
		       unsigned long nr, bool write,
		       struct wsaevent_pin_store *store)
{
	unsigned int gup = FOLL_LONGTERM | (write ? FOLL_WRITE : 0);
	unsigned int total = 0, done = 0, i;
	int ret;

	memset(pin, 0, sizeof(*pin));
	for (i = 0; i < nr; i++)
		total += wsaevent_pages_spanned((unsigned long)iov[i].iov_base,
						iov[i].iov_len);
	if (!total)
		return 0;

	if (store && total <= ARRAY_SIZE(store->pages)) {
		pin->pages = store->pages;
		pin->bvec = store->bvec;
	} else {
		/* One allocation: the pages, then their bio_vecs. */
		pin->pages = kvmalloc_array(total, sizeof(*pin->pages) +
					    sizeof(*pin->bvec),
					    GFP_KERNEL_ACCOUNT);
		if (!pin->pages)
			return -ENOMEM;
		pin->bvec = (struct bio_vec *)(pin->pages + total);
		pin->allocated = true;
	}

	for (i = 0; i < nr; i++) {
		unsigned long uaddr = (unsigned long)iov[i].iov_base;
		size_t left = iov[i].iov_len;
		unsigned int n = wsaevent_pages_spanned(uaddr, left), j;

		if (!n)
			continue;
		ret = pin_user_pages_fast(uaddr & PAGE_MASK, n, gup,
					  pin->pages + done);
		if (ret != n) {
			if (ret > 0)
				unpin_user_pages(pin->pages + done, ret);
			ret = ret == -ENOMEM ? -ENOMEM : -EFAULT;
			goto fail;
		}
		for (j = 0; j < n; j++) {
			unsigned int off = j ? 0 : offset_in_page(uaddr);
			unsigned int len = min_t(size_t, left, PAGE_SIZE - off);

			bvec_set_page(&pin->bvec[done + j], pin->pages[done + j],
				      len, off);
			left -= len;
		}
		done += n;
		pin->nr_pages = done;
		pin->len += iov[i].iov_len;
	}
	return 0;

fail:
	wsaevent_unpin(pin, 0);
	return ret;
}

/**
 * wsaevent_pin_range() - pin one small user range the kernel will write
 * @pin: filled
 * @uaddr: start
 * @len: length (a WSAOVERLAPPED, an address, an int)
 * @store: as for wsaevent_pin_iovec()
 *
 * Return: 0, -ENOMEM or -EFAULT.
 */
int wsaevent_pin_range(struct wsaevent_pin *pin, unsigned long uaddr,
		       size_t len, struct wsaevent_pin_store *store)
{
	struct iovec iov = { .iov_base = (void __user *)uaddr, .iov_len = len };

	return wsaevent_pin_iovec(pin, &iov, 1, true, store);
}

/**
 * wsaevent_probe_range() - fault in a user range without pinning it
 * @uaddr: start
 * @len: length; 0 probes nothing
 * @write: the kernel will write it
 *
 * For an operation tried at once on the user's own buffers: a bad buffer
 * fails the submission with EFAULT before a byte is taken from the
 * socket, as when it is pinned.  One byte of each page is read, and
 * written back unchanged when @write: the range belongs to the operation
 * from its submission on.
 *
 * Return: 0 or -EFAULT.
 */
int wsaevent_probe_range(unsigned long uaddr, size_t len, bool write)
{
	unsigned long end = uaddr + len, p;
	u8 __user *up;
	u8 c;

	if (!len)
		return 0;
	if (end < uaddr || !user_access_begin((void __user *)uaddr, len))
		return -EFAULT;
	/*
	 * One user-access section, no call per byte; nothing in it may call
	 * out, a sanitizer's check of a bool load included: one loop each.
	 */
	if (write) {
		for (p = uaddr; p < end; p = (p & PAGE_MASK) + PAGE_SIZE) {
			up = (u8 __user *)p;
			unsafe_get_user(c, up, fault);
			unsafe_put_user(c, up, fault);
		}
	} else {
		for (p = uaddr; p < end; p = (p & PAGE_MASK) + PAGE_SIZE)
			unsafe_get_user(c, (u8 __user *)p, fault);
	}
	user_access_end();
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

/**
 * wsaevent_probe_iovec() - wsaevent_probe_range() on each buffer
 * @iov: the buffers (kernel copy of the user's iovec array)
 * @nr: number of entries
 * @write: the kernel will write them (a receive)
 *
 * Return: 0 or -EFAULT.
 */
int wsaevent_probe_iovec(const struct iovec *iov, unsigned long nr, bool write)
{
	unsigned long i;
	int ret;

	for (i = 0; i < nr; i++) {
		ret = wsaevent_probe_range((unsigned long)iov[i].iov_base,
					   iov[i].iov_len, write);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * wsaevent_pin_write() - write into a pinned range
 * @pin: the range
 * @off: offset from its start
 * @src: the bytes
 * @len: how many; @off + @len must lie within the range
 */
void wsaevent_pin_write(struct wsaevent_pin *pin, size_t off, const void *src,
			size_t len)
{
	unsigned int i;

	for (i = 0; i < pin->nr_pages && len; i++) {
		struct bio_vec *bv = &pin->bvec[i];
		size_t n;

		if (off >= bv->bv_len) {
			off -= bv->bv_len;
			continue;
		}
		n = min_t(size_t, len, bv->bv_len - off);
		memcpy_to_page(bv->bv_page, bv->bv_offset + off, src, n);
		src += n;
		len -= n;
		off = 0;
	}
}

/**
 * wsaevent_pin_store_release() - publish a status word at the range's start
 * @pin: the range; its start is aligned to the word's size, so the word
 *	lies within one page
 * @val: the value
 * @compat: 32 bits wide rather than 64
 *
 * Everything written before is visible to whoever sees @val.
 */
void wsaevent_pin_store_release(struct wsaevent_pin *pin, u64 val, bool compat)
{
	struct bio_vec *bv = &pin->bvec[0];
	void *addr = kmap_local_page(bv->bv_page) + bv->bv_offset;

	if (compat) /* pairs with the library's acquire of Internal */
		smp_store_release((u32 *)addr, (u32)val);
	else /* pairs with the library's acquire of Internal */
		smp_store_release((u64 *)addr, val);
	kunmap_local(addr);
}

/**
 * wsaevent_unpin() - release a pinned range
 * @pin: the range (may be empty)
 * @dirty: how many bytes from its start the kernel wrote: their pages are
 *	marked dirty, the others released clean (a short message into a
 *	large receive buffer dirties one page); SIZE_MAX for all
 */
void wsaevent_unpin(struct wsaevent_pin *pin, size_t dirty)
{
	unsigned int i = 0;

	while (i < pin->nr_pages && dirty) {
		dirty -= min_t(size_t, dirty, pin->bvec[i].bv_len);
		i++;
	}
	if (i)
		unpin_user_pages_dirty_lock(pin->pages, i, true);
	if (i < pin->nr_pages)
		unpin_user_pages(pin->pages + i, pin->nr_pages - i);
	if (pin->allocated)
		kvfree(pin->pages);
	memset(pin, 0, sizeof(*pin));
}
