// The host side of resvg's wasm-bindgen build (npm @resvg/resvg-wasm), in place of
// the package's own glue (index.js): that glue needs TextEncoder and TextDecoder,
// which a bare V8 isolate lacks, and copies every buffer it hands over, which in a
// fresh allocation costs more than drawing a chart. Only the imports resvg uses
// exist; their names carry the hashes of @resvg/resvg-wasm 2.6.2
// (package-lock.json pins it), and a different build fails at instantiation.
//
// The script evaluates to a function of the module's bytes, the fonts and a small
// Int32 "meta" buffer, all SharedArrayBuffers Go wrote; it returns the raster
// function Go calls (render/resvg.go). Go and this script exchange bytes only
// through SharedArrayBuffers, which both sides read without copying.
(function (wasmBytes, regularFont, boldFont, metaBuffer) {
	'use strict';
	var own = function (sab) { return new Uint8Array(sab).slice(); };
	var module = new WebAssembly.Module(own(wasmBytes));
	var fonts = [own(regularFont), own(boldFont)];
	var meta = new Int32Array(metaBuffer); // width, height, wasm memory bytes
	var wasm = null;
	var output = new SharedArrayBuffer(0);

	// wasm-bindgen's heap of JavaScript objects, which Rust refers to by index:
	// 128 stack slots, then undefined, null, true and false, then a free list.
	var heap = new Array(128).fill(undefined);
	heap.push(undefined, null, true, false);
	var heapNext = heap.length;
	function add(obj) {
		if (heapNext === heap.length) { heap.push(heap.length + 1); }
		var idx = heapNext;
		heapNext = heap[idx];
		heap[idx] = obj;
		return idx;
	}
	function drop(idx) {
		if (idx < 132) { return; }
		heap[idx] = heapNext;
		heapNext = idx;
	}
	function take(idx) { var obj = heap[idx]; drop(idx); return obj; }

	function memory() { return new Uint8Array(wasm.memory.buffer); }

	function utf8Decode(ptr, len) {
		var b = memory().subarray(ptr >>> 0, (ptr >>> 0) + (len >>> 0));
		var s = '';
		for (var i = 0; i < b.length;) {
			var c = b[i++];
			if (c >= 0xf0) {
				c = ((c & 7) << 18 | (b[i++] & 63) << 12 | (b[i++] & 63) << 6 | (b[i++] & 63)) - 0x10000;
				s += String.fromCharCode(0xd800 + (c >> 10), 0xdc00 + (c & 1023));
				continue;
			}
			if (c >= 0xe0) { c = (c & 15) << 12 | (b[i++] & 63) << 6 | (b[i++] & 63); }
			else if (c >= 0xc0) { c = (c & 31) << 6 | (b[i++] & 63); }
			s += String.fromCharCode(c);
		}
		return s;
	}

	function utf8Encode(s) {
		var out = [];
		for (var i = 0; i < s.length; i++) {
			var c = s.codePointAt(i);
			if (c > 0xffff) { i++; }
			if (c < 0x80) { out.push(c); }
			else if (c < 0x800) { out.push(0xc0 | c >> 6, 0x80 | c & 63); }
			else if (c < 0x10000) { out.push(0xe0 | c >> 12, 0x80 | c >> 6 & 63, 0x80 | c & 63); }
			else { out.push(0xf0 | c >> 18, 0x80 | c >> 12 & 63, 0x80 | c >> 6 & 63, 0x80 | c & 63); }
		}
		return out;
	}

	// pass copies s into memory the module allocates; it returns [pointer, length].
	function pass(s) {
		var b = utf8Encode(s);
		var ptr = wasm.__wbindgen_malloc(b.length, 1) >>> 0;
		memory().set(b, ptr);
		return [ptr, b.length];
	}

	var imports = {wbg: {
		__wbg_new_28c511d9baebfa89: function (ptr, len) { return add(new Error(utf8Decode(ptr, len))); },
		__wbindgen_memory: function () { return add(wasm.memory); },
		__wbg_buffer_12d079cc21e14bdb: function (idx) { return add(heap[idx].buffer); },
		__wbg_newwithbyteoffsetandlength_aa4a17c33a06e5cb: function (idx, off, len) {
			return add(new Uint8Array(heap[idx], off >>> 0, len >>> 0));
		},
		__wbindgen_object_drop_ref: function (idx) { drop(idx); },
		// new Uint8Array(x). resvg calls it on a view of its own memory only to hand
		// the pixels out, and raster copies them before the next call into the
		// module: the view itself serves, and no 4-bytes-per-pixel copy is made.
		__wbg_new_63b92bc8671ed464: function (idx) {
			var x = heap[idx];
			if (x instanceof Uint8Array && x.buffer === wasm.memory.buffer) { return add(x); }
			return add(new Uint8Array(x));
		},
		__wbg_values_839f3396d5aac002: function (idx) { return add(heap[idx].values()); },
		__wbg_next_196c84450b364254: function (idx) { return add(heap[idx].next()); },
		__wbg_done_298b57d23c0fc80c: function (idx) { return heap[idx].done; },
		__wbg_value_d93c65011f51a456: function (idx) { return add(heap[idx].value); },
		__wbg_instanceof_Uint8Array_2b3bbecd033d19f6: function (idx) { return heap[idx] instanceof Uint8Array; },
		__wbindgen_string_get: function (retptr, idx) {
			var s = heap[idx];
			var r = typeof s === 'string' ? pass(s) : [0, 0];
			var words = new Int32Array(wasm.memory.buffer);
			words[retptr / 4 + 1] = r[1];
			words[retptr / 4] = r[0];
		},
		__wbg_new_16b304a2cfa7ff4a: function () { return add([]); },
		__wbindgen_string_new: function (ptr, len) { return add(utf8Decode(ptr, len)); },
		__wbg_push_a5b05aedc7234f9f: function (arr, idx) { return heap[arr].push(heap[idx]); },
		__wbg_length_c20a40f15020d68a: function (idx) { return heap[idx].length; },
		__wbg_set_a47bac70306a19a7: function (dst, src, off) { heap[dst].set(heap[src], off >>> 0); },
		__wbindgen_throw: function (ptr, len) { throw new Error(utf8Decode(ptr, len)); },
	}};
	wasm = new WebAssembly.Instance(module, imports).exports;

	// call runs a wasm-bindgen export that answers through a return area on the
	// shadow stack: (value, error object, is-error).
	function call(fn, a, b, c, d) {
		var retptr = wasm.__wbindgen_add_to_stack_pointer(-16);
		try {
			fn(retptr, a, b, c, d);
			var words = new Int32Array(wasm.memory.buffer);
			if (words[retptr / 4 + 2]) { throw take(words[retptr / 4 + 1]); }
			return words[retptr / 4] >>> 0;
		} finally {
			wasm.__wbindgen_add_to_stack_pointer(16);
		}
	}

	// raster draws the SVG in input's first length bytes with the options (the JSON
	// of resvg-js's ResvgRenderOptions) and returns a buffer whose first
	// width×height×4 bytes are the pixels, premultiplied RGBA rows; meta holds the
	// size and the module's memory.
	return function raster(input, length, options) {
		var opts = pass(options);
		var fontList = add(fonts);
		var tree = call(wasm.resvg_new, add(new Uint8Array(input, 0, length)), opts[0], opts[1], fontList);
		try {
			var image = call(wasm.resvg_render, tree);
			try {
				var w = wasm.renderedimage_width(image) >>> 0;
				var h = wasm.renderedimage_height(image) >>> 0;
				var pixels = take(wasm.renderedimage_pixels(image));
				if (output.byteLength < pixels.length) { output = new SharedArrayBuffer(pixels.length); }
				new Uint8Array(output).set(pixels);
				meta[0] = w;
				meta[1] = h;
			} finally {
				wasm.__wbg_renderedimage_free(image);
			}
		} finally {
			wasm.__wbg_resvg_free(tree);
		}
		meta[2] = wasm.memory.buffer.byteLength;
		return output;
	};
})
