public enum CoreX {}
