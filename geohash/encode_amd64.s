//go:build amd64 && !purego

#include "textflag.h"

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func encode64(lat, lon float64) uint64
TEXT ·encode64(SB), NOSPLIT, $0-24
	CMPB  ·hasBMI2(SB), $1
	JNE   fallback
	MOVSD lat+0(FP), X0
	MOVSD lon+8(FP), X1
	// Constants as memory operands: moving them through a general register
	// into an XMM register would put two cross-domain moves on the path.
	// The literals are the shortest forms of the float64 values of 1.0/180
	// (0x3f76c16c16c16c17) and 1.0/360 (0x3f66c16c16c16c17), so the
	// assembler produces exactly the constants the Go code uses.
	MULSD $(0.005555555555555556), X0
	ADDSD $(1.5), X0
	MULSD $(0.002777777777777778), X1
	ADDSD $(1.5), X1
	MOVQ  X0, AX
	MOVQ  X1, DX
	// Both values must lie in [1, 2): sign 0 and exponent 0x3ff. XOR with
	// the exponent of 1.0 leaves both top-12-bit fields zero only then.
	MOVQ  $0x3ff0000000000000, R9
	MOVQ  AX, R10
	XORQ  R9, R10
	XORQ  DX, R9
	ORQ   R10, R9
	SHRQ  $52, R9
	JNZ   fallback
	MOVQ  $0x5555555555555555, BX
	SHRQ  $20, AX
	PDEPQ BX, AX, CX
	SHRQ  $20, DX
	PDEPQ BX, DX, R8
	SHLQ  $1, R8
	ORQ   R8, CX
	MOVQ  CX, ret+16(FP)
	RET

fallback:
	JMP ·encodeGo(SB)
