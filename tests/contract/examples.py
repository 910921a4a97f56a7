"""Replies shaped exactly as the specs document them (each is validated against its schema)."""

from __future__ import annotations

from typing import Any

TEXT = "The beach was a popular spot on a hot summer day."

OPENAI: dict[str, tuple[str, Any]] = {
    # name: (schema name, example)
    "json": (
        "CreateTranscriptionResponseJson",
        {
            "text": TEXT,
            "usage": {
                "type": "tokens",
                "input_tokens": 14,
                "input_token_details": {"text_tokens": 10, "audio_tokens": 4},
                "output_tokens": 101,
                "total_tokens": 115,
            },
        },
    ),
    "verbose_json": (
        "CreateTranscriptionResponseVerboseJson",
        {
            "language": "english",
            "duration": 3.32,
            "text": TEXT,
            "words": [
                {"word": "The", "start": 0.0, "end": 0.2},
                {"word": "beach", "start": 0.2, "end": 0.6},
                {"word": "day.", "start": 2.9, "end": 3.3},
            ],
            "segments": [
                {
                    "id": 0,
                    "seek": 0,
                    "start": 0.0,
                    "end": 3.32,
                    "text": " " + TEXT,
                    "tokens": [50364, 440],
                    "temperature": 0.0,
                    "avg_logprob": -0.286,
                    "compression_ratio": 1.236,
                    "no_speech_prob": 0.00986,
                }
            ],
            "usage": {"type": "duration", "seconds": 4},
        },
    ),
    "diarized_json": (
        "CreateTranscriptionResponseDiarizedJson",
        {
            "task": "transcribe",
            "duration": 12.8,
            "text": "Thanks for calling.\nHi, I need help.",
            "segments": [
                {
                    "type": "transcript.text.segment",
                    "id": "seg_001",
                    "start": 0.0,
                    "end": 5.2,
                    "text": "Thanks for calling.",
                    "speaker": "agent",
                },
                {
                    "type": "transcript.text.segment",
                    "id": "seg_002",
                    "start": 5.2,
                    "end": 12.8,
                    "text": "Hi, I need help.",
                    "speaker": "A",
                },
            ],
            "usage": {"type": "duration", "seconds": 13},
        },
    ),
    "translation_json": ("CreateTranslationResponseJson", {"text": "Hello, my name is Wolfgang."}),
    "translation_verbose": (
        "CreateTranslationResponseVerboseJson",
        {
            "language": "english",
            "duration": 1.5,
            "text": "Hello, my name is Wolfgang.",
            "segments": [
                {
                    "id": 0,
                    "seek": 0,
                    "start": 0.0,
                    "end": 1.5,
                    "text": " Hello, my name is Wolfgang.",
                    "tokens": [1],
                    "temperature": 0.0,
                    "avg_logprob": -0.2,
                    "compression_ratio": 0.9,
                    "no_speech_prob": 0.01,
                }
            ],
        },
    ),
    "chat": (
        "CreateChatCompletionResponse",
        {
            "id": "chatcmpl-123",
            "object": "chat.completion",
            "created": 1677652288,
            "model": "gpt-4o-mini",
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": "Two people talk.",
                        "refusal": None,
                    },
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21},
        },
    ),
    "models": (
        "ListModelsResponse",
        {
            "object": "list",
            "data": [
                {"id": "tts-1", "object": "model", "created": 1686935002, "owned_by": "openai"},
                {
                    "id": "whisper-1",
                    "object": "model",
                    "created": 1686935002,
                    "owned_by": "openai",
                    "shutdown_date": None,
                },
            ],
        },
    ),
    "error": (
        "ErrorResponse",
        {
            "error": {
                "message": "Invalid 'voice'.",
                "type": "invalid_request_error",
                "param": "voice",
                "code": None,
            }
        },
    ),
}

TRANSCRIPT_EVENTS: list[tuple[str, dict[str, Any]]] = [
    ("TranscriptTextDeltaEvent", {"type": "transcript.text.delta", "delta": "The beach"}),
    ("TranscriptTextDeltaEvent", {"type": "transcript.text.delta", "delta": " was popular."}),
    (
        "TranscriptTextSegmentEvent",
        {
            "type": "transcript.text.segment",
            "id": "seg_1",
            "start": 0.0,
            "end": 2.0,
            "text": "The beach was popular.",
            "speaker": "A",
        },
    ),
    (
        "TranscriptTextDoneEvent",
        {
            "type": "transcript.text.done",
            "text": "The beach was popular.",
            "usage": {
                "type": "tokens",
                "input_tokens": 14,
                "input_token_details": {"text_tokens": 10, "audio_tokens": 4},
                "output_tokens": 31,
                "total_tokens": 45,
            },
        },
    ),
]

HTTP_VALIDATION_ERROR = {
    "detail": [{"loc": ["body", "text"], "msg": "Field required", "type": "missing"}]
}
