</main>
<footer>ra <?cs var:Site.Version ?></footer>
</body>
</html>
