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
	MOVQ  $0x3f76c16c16c16c17, AX // 1.0/180
	MOVQ  AX, X2
	MOVQ  $0x3f66c16c16c16c17, AX // 1.0/360
	MOVQ  AX, X3
	MOVQ  $0x3ff8000000000000, AX // 1.5
	MOVQ  AX, X4
	MULSD X2, X0
	ADDSD X4, X0
	MULSD X3, X1
	ADDSD X4, X1
	MOVQ  X0, AX
	MOVQ  X1, DX
	// Both values must lie in [1, 2): sign 0 and exponent 0x3ff.
	MOVQ  AX, R9
	SHRQ  $52, R9
	CMPQ  R9, $0x3ff
	JNE   fallback
	MOVQ  DX, R9
	SHRQ  $52, R9
	CMPQ  R9, $0x3ff
	JNE   fallback
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
