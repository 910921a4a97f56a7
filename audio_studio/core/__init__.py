"""The Qt-free core: models, providers, jobs, audio and storage. Never imports Qt."""
